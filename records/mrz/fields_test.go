package mrz_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// hasError reports whether some error contains sub.
func hasError(r *mrz.Result, sub string) bool {
	return slices.ContainsFunc(r.Errors, func(e string) bool { return strings.Contains(e, sub) })
}

// testNow is 2026-05-01: the century rules turn on it.
func TestBirthDates(t *testing.T) {
	tests := []struct {
		field, want, err string
	}{
		{"740812", "1974-08-12", ""},
		{"260501", "2026-05-01", ""}, // born today: not in the future
		{"260502", "1926-05-02", ""}, // tomorrow in 2026 would be the future
		{"260430", "2026-04-30", ""},
		{"251231", "2025-12-31", ""},
		{"270101", "1927-01-01", ""},
		{"000101", "2000-01-01", ""},
		{"991231", "1999-12-31", ""},
		{"000229", "2000-02-29", ""},
		{"960229", "1996-02-29", ""},
		{"010229", "", "not a calendar date"},
		{"991332", "", "not a calendar date"},
		{"740001", "", "not a calendar date"},
		{"741300", "", "not a calendar date"},
		{"740431", "", "not a calendar date"},
		{"<<<<<<", "", "unknown parts"},
		{"7408<<", "", "unknown parts"}, // day of birth unknown
		{"74<<<<", "", "unknown parts"},
		{"74O812", "", "must be six digits"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			d := erika()
			d.birth = tt.field
			r := mustParse(t, buildTD3(t, d))
			if r.BirthDate != tt.want {
				t.Errorf("birth_date = %q, want %q", r.BirthDate, tt.want)
			}
			if *r.Checks.BirthDate != true {
				t.Errorf("the check digit is right; checks.birth_date must be true")
			}
			if tt.err == "" {
				if !r.Valid {
					t.Errorf("errors %q", r.Errors)
				}
				return
			}
			if r.Valid || !hasError(r, "birth date "+tt.field) || !hasError(r, tt.err) {
				t.Errorf("valid %v errors %q, want an error about %q", r.Valid, r.Errors, tt.err)
			}
		})
	}
}

func TestExpiryDates(t *testing.T) {
	tests := []struct {
		field, want string
		expired     bool
		err         string
	}{
		{"300415", "2030-04-15", false, ""},
		{"260501", "2026-05-01", false, ""}, // expires today: still good today
		{"260430", "2026-04-30", true, ""},
		{"120415", "2012-04-15", true, ""},
		{"460501", "2046-05-01", false, ""}, // exactly 20 years ahead
		{"460502", "1946-05-02", true, ""},  // more than 20 years ahead
		{"961210", "1996-12-10", true, ""},
		{"991231", "1999-12-31", true, ""},
		{"000101", "2000-01-01", true, ""},
		{"280229", "2028-02-29", false, ""},
		{"270229", "", false, "not a calendar date"},
		{"<<<<<<", "", false, "unknown parts"},
		{"3004<<", "", false, "unknown parts"},
		{"3OO415", "", false, "must be six digits"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			d := erika()
			d.expiry = tt.field
			r := mustParse(t, buildTD3(t, d))
			if r.ExpiryDate != tt.want {
				t.Errorf("expiry_date = %q, want %q", r.ExpiryDate, tt.want)
			}
			if got := slices.Contains(r.Warnings, mrz.WarnExpired); got != tt.expired {
				t.Errorf("expired warning = %v, want %v", got, tt.expired)
			}
			if tt.err == "" {
				if !r.Valid {
					t.Errorf("errors %q", r.Errors)
				}
				return
			}
			if r.Valid || !hasError(r, "expiry date "+tt.field) || !hasError(r, tt.err) {
				t.Errorf("valid %v errors %q, want an error about %q", r.Valid, r.Errors, tt.err)
			}
		})
	}
}

// The clock's calendar day decides, not its time of day or time zone name.
func TestExpiredRelativeToNow(t *testing.T) {
	d := erika()
	d.expiry = "260501"
	lines := strings.Join(buildTD3(t, d), "\n")
	for _, tt := range []struct {
		now     time.Time
		expired bool
	}{
		{time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 5, 1, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 5, 1, 23, 0, 0, 0, time.FixedZone("MST", -7*3600)), false},
	} {
		r, err := mrz.Parse(lines, tt.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(r.Warnings, mrz.WarnExpired); got != tt.expired {
			t.Errorf("now %v: expired = %v, want %v", tt.now, got, tt.expired)
		}
	}
}

func TestSex(t *testing.T) {
	for _, tt := range []struct {
		field, want string
		valid       bool
	}{
		{"F", "F", true}, {"M", "M", true}, {"X", "X", true}, {"<", "X", true},
		{"Z", "", false}, {"1", "", false}, {"O", "", false},
	} {
		d := erika()
		d.sex = tt.field
		r := mustParse(t, buildTD3(t, d))
		if r.Sex != tt.want || r.Valid != tt.valid {
			t.Errorf("sex %q: got %q valid %v, want %q valid %v (errors %q)", tt.field, r.Sex, r.Valid, tt.want, tt.valid, r.Errors)
		}
		if !tt.valid && !hasError(r, "sex") {
			t.Errorf("sex %q: errors %q lack an explanation", tt.field, r.Errors)
		}
	}
}

func TestCountryCodes(t *testing.T) {
	for _, tt := range []struct {
		field, raw, iso string
		valid           bool
	}{
		{"UTO", "UTO", "UTO", true},
		{"USA", "USA", "USA", true},
		{"D<<", "D", "DEU", true},
		{"D", "D", "DEU", true}, // the builder pads it to D<<
		{"DEU", "DEU", "DEU", true},
		{"XXX", "XXX", "XXX", true},
		{"<<<", "", "", false},
		{"DE", "DE", "", false},
		{"U1O", "U1O", "", false},
		{"<DE", "<DE", "", false},
	} {
		d := erika()
		d.state, d.nat = tt.field, tt.field
		r := mustParse(t, buildTD3(t, d))
		if r.IssuingState != tt.raw || r.IssuingStateISO != tt.iso || r.Nationality != tt.raw || r.NationalityISO != tt.iso {
			t.Errorf("%q: state %q/%q nationality %q/%q, want %q/%q", tt.field,
				r.IssuingState, r.IssuingStateISO, r.Nationality, r.NationalityISO, tt.raw, tt.iso)
		}
		if r.Valid != tt.valid {
			t.Errorf("%q: valid %v, want %v (errors %q)", tt.field, r.Valid, tt.valid, r.Errors)
		}
		if !tt.valid && (!hasError(r, "issuing state") || !hasError(r, "nationality")) {
			t.Errorf("%q: errors %q must name both fields", tt.field, r.Errors)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		field, surname, given string
		truncated, valid      bool
	}{
		{"ERIKSSON<<ANNA<MARIA", "ERIKSSON", "ANNA MARIA", false, true},
		{"VAN<DER<BERG<<JAN<WILLEM", "VAN DER BERG", "JAN WILLEM", false, true},
		{"O<BRIEN<<SEAN", "O BRIEN", "SEAN", false, true},
		{"SMITH", "SMITH", "", false, true},
		{"SMITH<<", "SMITH", "", false, true},
		{"<<ANNA", "", "ANNA", false, true},
		{"", "", "", false, true},
		{"A<<B<<C", "A", "B C", false, true},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ<<ABCDEFGHIJKL", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJK", true, true},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM", "", true, true},
		{"ERIKSS0N<<ANNA", "ERIKSS0N", "ANNA", false, false},
	} {
		t.Run(tt.field, func(t *testing.T) {
			lines := buildTD3(t, erika())
			name := tt.field
			if len(name) < 39 {
				name = pad(t, name, 39)
			}
			lines[0] = "P<UTO" + name[:39]
			r := mustParse(t, lines)
			if r.Surname != tt.surname || r.GivenNames != tt.given {
				t.Errorf("surname %q given %q, want %q %q", r.Surname, r.GivenNames, tt.surname, tt.given)
			}
			if got := slices.Contains(r.Warnings, mrz.WarnNameTruncated); got != tt.truncated {
				t.Errorf("name_truncated = %v, want %v", got, tt.truncated)
			}
			if r.Valid != tt.valid {
				t.Errorf("valid %v, want %v (errors %q)", r.Valid, tt.valid, r.Errors)
			}
		})
	}
}

func TestDocumentCodeErrors(t *testing.T) {
	for _, code := range []string{"1<", "<P", "P1"} {
		lines := buildTD3(t, erika())
		lines[0] = code + lines[0][2:]
		r := mustParse(t, lines)
		if r.Valid || !hasError(r, "document code") {
			t.Errorf("code %q: valid %v errors %q", code, r.Valid, r.Errors)
		}
	}
}

// checkPos is where a check digit sits: line and position, 0-based.
type checkPos struct {
	name      string
	line, pos int
}

var checkPositions = map[mrz.Format][]checkPos{
	mrz.TD3:  {{"document_number", 1, 9}, {"birth_date", 1, 19}, {"expiry_date", 1, 27}, {"personal_number", 1, 42}, {"composite", 1, 43}},
	mrz.TD2:  {{"document_number", 1, 9}, {"birth_date", 1, 19}, {"expiry_date", 1, 27}, {"composite", 1, 35}},
	mrz.TD1:  {{"document_number", 0, 14}, {"birth_date", 1, 6}, {"expiry_date", 1, 14}, {"composite", 1, 29}},
	mrz.MRVA: {{"document_number", 1, 9}, {"birth_date", 1, 19}, {"expiry_date", 1, 27}},
	mrz.MRVB: {{"document_number", 1, 9}, {"birth_date", 1, 19}, {"expiry_date", 1, 27}},
}

func checksMap(c mrz.Checks) map[string]bool {
	m := map[string]bool{}
	for k, p := range map[string]*bool{
		"document_number": c.DocumentNumber, "birth_date": c.BirthDate, "expiry_date": c.ExpiryDate,
		"personal_number": c.PersonalNumber, "composite": c.Composite,
	} {
		if p != nil {
			m[k] = *p
		}
	}
	return m
}

// wrong returns a different digit.
func wrong(c byte) byte { return '0' + (c-'0'+1)%10 }

// Every check digit fails alone and is reported alone; then all together.
func TestCheckDigitFailures(t *testing.T) {
	d := doc{code: "P", state: "UTO", surname: "ERIKSSON", given: "ANNA", number: "L898902C3", nat: "UTO",
		birth: "740812", sex: "F", expiry: "300415", opt: "ZE1842"}
	docs := map[mrz.Format][]string{
		mrz.TD3:  buildTD3(t, d),
		mrz.TD2:  buildTD2(t, d),
		mrz.TD1:  buildTD1(t, d),
		mrz.MRVA: buildVisa(t, doc{code: "V", state: "UTO", surname: "A", number: "L898902C3", nat: "UTO", birth: "740812", sex: "F", expiry: "300415"}, 44),
		mrz.MRVB: buildVisa(t, doc{code: "V", state: "UTO", surname: "A", number: "L898902C3", nat: "UTO", birth: "740812", sex: "F", expiry: "300415"}, 36),
	}
	for f, lines := range docs {
		for _, cp := range checkPositions[f] {
			t.Run(fmt.Sprintf("%s/%s", f, cp.name), func(t *testing.T) {
				bad := set(lines, cp.line, cp.pos, wrong(lines[cp.line][cp.pos]))
				if cp.name != "composite" {
					bad = fixComposite(t, f, bad)
				}
				r := mustParse(t, bad)
				for name, ok := range checksMap(r.Checks) {
					if ok != (name != cp.name) {
						t.Errorf("checks.%s = %v", name, ok)
					}
				}
				if r.Valid || len(r.Errors) != 1 {
					t.Errorf("valid %v errors %q, want one error", r.Valid, r.Errors)
				}
				if !hasError(r, strings.ReplaceAll(cp.name, "_", " ")+" check digit is") {
					t.Errorf("errors %q do not name the %s check", r.Errors, cp.name)
				}
			})
		}
		t.Run(fmt.Sprintf("%s/all", f), func(t *testing.T) {
			bad := lines
			for _, cp := range checkPositions[f] {
				if cp.name == "composite" {
					// Wrong against the corrupted fields: digit changes can cancel out.
					bad = fixComposite(t, f, bad)
				}
				bad = set(bad, cp.line, cp.pos, wrong(bad[cp.line][cp.pos]))
			}
			r := mustParse(t, bad)
			for name, ok := range checksMap(r.Checks) {
				if ok {
					t.Errorf("checks.%s = true with every check digit wrong", name)
				}
			}
			if len(r.Errors) != len(checkPositions[f]) || r.Valid {
				t.Errorf("valid %v errors %q", r.Valid, r.Errors)
			}
		})
	}
}

// A filler in a check digit position is a failure, except where ICAO 9303
// allows it: an empty TD3 personal number.
func TestFillerCheckDigits(t *testing.T) {
	empty := erika()
	empty.opt = ""
	lines := buildTD3(t, empty)
	if r := mustParse(t, set(lines, 1, 42, '0')); !r.Valid {
		t.Errorf("empty personal number with check 0: %q", r.Errors)
	}
	if r := mustParse(t, lines); !r.Valid || lines[1][42] != '<' {
		t.Errorf("empty personal number with check <: %q", r.Errors)
	}
	withPN := buildTD3(t, erika())
	r := mustParse(t, fixComposite(t, mrz.TD3, set(withPN, 1, 42, '<')))
	if r.Valid || *r.Checks.PersonalNumber {
		t.Errorf("personal number ZE184226B with check '<' accepted")
	}
	r = mustParse(t, fixComposite(t, mrz.TD3, set(withPN, 1, 9, '<')))
	if r.Valid || *r.Checks.DocumentNumber {
		t.Errorf("TD3 document number with check '<' accepted (no long numbers on passports)")
	}
}

func TestLongDocumentNumberErrors(t *testing.T) {
	base := doc{code: "I", state: "BEL", surname: "A", number: "592012345678", nat: "BEL", birth: "850722", sex: "M", expiry: "310417"}
	good := buildTD1(t, base)
	tests := []struct {
		name   string
		line1  string
		number string
	}{
		{"continuation check digit wrong", good[0][:18] + string(wrong(good[0][18])) + good[0][19:], "592012345678"},
		{"no continuation", good[0][:15] + strings.Repeat("<", 15), "592012345"},
		{"continuation of one character", good[0][:15] + "7" + strings.Repeat("<", 14), "592012345"},
		{"filler inside the first nine", good[0][:13] + "<<" + good[0][15:], "59201234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := fixComposite(t, mrz.TD1, []string{tt.line1, good[1], good[2]})
			r := mustParse(t, lines)
			if r.Valid || *r.Checks.DocumentNumber || !*r.Checks.Composite {
				t.Errorf("valid %v checks %v", r.Valid, checksMap(r.Checks))
			}
			if r.DocumentNumber != tt.number {
				t.Errorf("document_number %q, want %q", r.DocumentNumber, tt.number)
			}
			if !hasError(r, "document number check digit") {
				t.Errorf("errors %q", r.Errors)
			}
		})
	}
}

// An O read where a digit belongs gets a hint, never a silent fix.
func TestOCRLetterOHint(t *testing.T) {
	d := erika()
	d.birth = "700101"
	lines := buildTD3(t, d)
	r := mustParse(t, set(lines, 1, 14, 'O')) // 7O0101
	if r.BirthDate != "" || r.Valid || *r.Checks.BirthDate {
		t.Errorf("O in the birth date was corrected: %+v", r)
	}
	if !slices.Contains(r.Warnings, mrz.WarnOCRLetterO+":birth_date") {
		t.Errorf("warnings %q lack the OCR hint", r.Warnings)
	}

	// A check digit read as O.
	for expiry := 300101; expiry < 300131; expiry++ {
		d := erika()
		d.expiry = fmt.Sprint(expiry)
		lines := buildTD3(t, d)
		if lines[1][27] != '0' {
			continue
		}
		r := mustParse(t, set(lines, 1, 27, 'O'))
		if r.Valid || *r.Checks.ExpiryDate || !slices.Contains(r.Warnings, mrz.WarnOCRLetterO+":expiry_date") {
			t.Errorf("expiry check digit O: valid %v warnings %q", r.Valid, r.Warnings)
		}
		return
	}
	t.Fatal("no expiry date with check digit 0 found")
}

// No hint when reading O as 0 would not help, or the field is alphanumeric.
func TestNoOCRHintWhenItWouldNotHelp(t *testing.T) {
	lines := buildTD3(t, erika())
	for _, bad := range [][]string{
		set(lines, 1, 14, 'O'), // 7O0812 (birth 740812): 0 would not pass either
		set(lines, 1, 0, 'O'),  // document number is alphanumeric: O is a letter there
	} {
		r := mustParse(t, bad)
		for _, w := range r.Warnings {
			if strings.HasPrefix(w, mrz.WarnOCRLetterO) {
				t.Errorf("%q: unexpected hint %q", bad[1], w)
			}
		}
	}
}

// A result must never be ambiguous about its validity.
func TestValidMeansNoErrors(t *testing.T) {
	r := mustParse(t, []string{td3L1, strings.Replace(td3L2, "F", "Q", 1)})
	if r.Valid || len(r.Errors) == 0 {
		t.Errorf("valid %v errors %q", r.Valid, r.Errors)
	}
}
