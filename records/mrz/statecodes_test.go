package mrz_test

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/portofentry/booth/records/mrz"
)

// doc9303Codes are the codes Doc 9303 Part 3 assigns itself, as the design
// enumerates them.
var doc9303Codes = []string{
	"D", "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "UNA", "UNK", "UNO", "XBA", "XCC", "XCE", "XCO", "XDC",
	"XEC", "XES", "XIM", "XMP", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX",
}

// stateCodeLine is one entry of statecodes.txt.
type stateCodeLine struct{ code, source, name string }

// readStateCodes reads statecodes.txt strictly: every line that is not
// blank or a comment must be CODE<TAB>SOURCE<TAB>NAME.
func readStateCodes(t *testing.T) []stateCodeLine {
	t.Helper()
	f, err := os.Open("statecodes.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []stateCodeLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Errorf("statecodes.txt:%d: %q is not CODE<TAB>SOURCE<TAB>NAME", n, line)
			continue
		}
		e := stateCodeLine{fields[0], fields[1], fields[2]}
		if len(e.code) < 1 || len(e.code) > 3 || strings.Trim(e.code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Errorf("statecodes.txt:%d: code %q is not 1-3 letters A-Z", n, e.code)
		}
		if e.source != "iso" && e.source != "icao" && e.source != "seen" {
			t.Errorf("statecodes.txt:%d: source %q is not iso, icao or seen", n, e.source)
		}
		if strings.TrimSpace(e.name) == "" {
			t.Errorf("statecodes.txt:%d: no name", n)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The list holds the 249 officially assigned ISO 3166-1 alpha-3 codes,
// exactly Doc 9303's own 25 and UTO and RKS, each once; StateName knows
// exactly these codes and nothing else.
func TestStateCodeList(t *testing.T) {
	lines := readStateCodes(t)
	seen := map[string]bool{}
	bySource := map[string][]string{}
	for _, e := range lines {
		if seen[e.code] {
			t.Errorf("%s listed twice", e.code)
		}
		seen[e.code] = true
		bySource[e.source] = append(bySource[e.source], e.code)
		if name, ok := mrz.StateName(e.code); !ok || name != e.name {
			t.Errorf("StateName(%q) = %q, %v; want %q, true", e.code, name, ok, e.name)
		}
	}
	if n := len(bySource["iso"]); n != 249 {
		t.Errorf("%d ISO 3166-1 codes, want the 249 officially assigned", n)
	}
	if got := bySource["icao"]; !slices.Equal(got, doc9303Codes) {
		t.Errorf("Doc 9303 codes = %q, want %q", got, doc9303Codes)
	}
	if got := bySource["seen"]; !slices.Equal(got, []string{"UTO", "RKS"}) {
		t.Errorf("codes from documents = %q, want UTO and RKS", got)
	}
	if len(lines) != 276 {
		t.Errorf("%d codes, want 276", len(lines))
	}

	// Every string of one to three letters: known exactly when listed, so
	// the embedded file is the one source of truth.
	var known int
	var walk func(prefix string)
	walk = func(prefix string) {
		if prefix != "" {
			_, ok := mrz.StateName(prefix)
			if ok != seen[prefix] {
				t.Errorf("StateName(%q) ok = %v, listed = %v", prefix, ok, seen[prefix])
			}
			if ok {
				known++
			}
		}
		if len(prefix) == 3 {
			return
		}
		for c := 'A'; c <= 'Z'; c++ {
			walk(prefix + string(c))
		}
	}
	walk("")
	if known != len(lines) {
		t.Errorf("StateName knows %d codes, the file lists %d", known, len(lines))
	}
}

func TestStateNameSpotChecks(t *testing.T) {
	tests := []struct {
		field string
		ok    bool
		why   string
	}{
		{"D<<", true, "Germany as the MRZ holds it"},
		{"D", true, "Germany without fillers"},
		{"DEU", true, "Germany's ISO code (on other states' visas)"},
		{"UTO", true, "ICAO specimens"},
		{"RKS", true, "Kosovo's documents"},
		{"ALA", true, "Åland Islands"},
		{"BES", true, "Bonaire, Sint Eustatius and Saba (2010)"},
		{"CUW", true, "Curaçao (2010)"},
		{"SXM", true, "Sint Maarten (2010)"},
		{"SSD", true, "South Sudan (2011)"},
		{"SRB", true, "Serbia (2006)"},
		{"MNE", true, "Montenegro (2006)"},
		{"TLS", true, "Timor-Leste (replaced TMP)"},
		{"ROU", true, "Romania (replaced ROM)"},
		{"PSE", true, "Palestine"},
		{"TWN", true, "Taiwan"},
		{"ATA", true, "Antarctica is assigned"},
		{"ASU", false, "not a code (issue 8)"},
		{"BOS", false, "not a code (issue 8)"},
		{"ZZZ", false, "user-assigned range"},
		{"XKX", false, "user-assigned, not ISO; Kosovo uses RKS"},
		{"ANT", false, "withdrawn 2010"},
		{"SCG", false, "withdrawn 2006"},
		{"YUG", false, "withdrawn 2003"},
		{"TMP", false, "withdrawn 2002"},
		{"ZAR", false, "withdrawn 1997"},
		{"ROM", false, "replaced by ROU"},
		{"SUN", false, "withdrawn 1992"},
		{"GER", false, "a common confusion for DEU / D"},
		{"UK<", false, "the United Kingdom is GBR"},
		{"GB<", false, "alpha-2 is not a code"},
		{"DE<", false, "alpha-2 is not a code"},
		{"<D<", false, "D must come first"},
		{"<<D", false, "D must come first"},
		{"<<<", false, "empty"},
		{"", false, "empty"},
		{"uto", false, "lower case: Parse upper-cases before asking"},
		{"D<<<", false, "longer than the field"},
	}
	for _, tt := range tests {
		if _, ok := mrz.StateName(tt.field); ok != tt.ok {
			t.Errorf("StateName(%q) ok = %v, want %v (%s)", tt.field, ok, tt.ok, tt.why)
		}
	}
}

// inAllFormats lays d out as TD1, TD2, TD3, MRV-A and MRV-B, with the
// document code each format expects.
func inAllFormats(t *testing.T, d doc) map[mrz.Format][]string {
	t.Helper()
	id, pass, visa := d, d, d
	id.code, pass.code, visa.code = "I", "P", "V"
	return map[mrz.Format][]string{
		mrz.TD1:  buildTD1(t, id),
		mrz.TD2:  buildTD2(t, id),
		mrz.TD3:  buildTD3(t, pass),
		mrz.MRVA: buildVisa(t, visa, 44),
		mrz.MRVB: buildVisa(t, visa, 36),
	}
}

func stateDoc(state, nat string) doc {
	return doc{state: state, surname: "TRAVELER", given: "ALEX", number: "X12345678",
		nat: nat, birth: "800101", sex: "M", expiry: "300101"}
}

// Every listed code, as issuing state and as nationality, in every format:
// valid, no unknown_state_code, the code reported as written (D as DEU in
// the ISO field).
func TestKnownStateCodesInEveryFormat(t *testing.T) {
	lines := readStateCodes(t)
	if len(lines) < 276 {
		t.Fatalf("only %d codes read", len(lines))
	}
	for _, e := range lines {
		iso := e.code
		if iso == "D" {
			iso = "DEU"
		}
		for _, d := range []doc{stateDoc(e.code, "UTO"), stateDoc("UTO", e.code), stateDoc(e.code, e.code)} {
			for f, mz := range inAllFormats(t, d) {
				r := mustParse(t, mz)
				if r.Format != f || !r.Valid || len(r.Warnings) != 0 {
					t.Errorf("%s %s/%s: format %s valid %v warnings %q errors %q",
						f, d.state, d.nat, r.Format, r.Valid, r.Warnings, r.Errors)
				}
				wantState, wantNat := d.state, d.nat
				wantStateISO, wantNatISO := wantState, wantNat
				if wantState == "D" {
					wantStateISO = "DEU"
				}
				if wantNat == "D" {
					wantNatISO = "DEU"
				}
				if r.IssuingState != wantState || r.Nationality != wantNat ||
					r.IssuingStateISO != wantStateISO || r.NationalityISO != wantNatISO {
					t.Errorf("%s %s/%s: got %s(%s)/%s(%s), want ISO %s", f, d.state, d.nat,
						r.IssuingState, r.IssuingStateISO, r.Nationality, r.NationalityISO, iso)
				}
			}
		}
	}
}

// Codes that are not in the list warn in either position and every format;
// validity stays what the MRZ itself says: a well-formed unknown code is
// still valid, a malformed one was already an error.
func TestUnknownStateCodes(t *testing.T) {
	tests := []struct {
		code  string
		valid bool // whether the MRZ is valid with this code in it
	}{
		{"ASU", true}, {"BOS", true}, {"ZZZ", true}, {"XKX", true}, {"ANT", true}, {"SCG", true},
		{"YUG", true}, {"GER", true}, {"XXD", true}, {"EUR", true}, {"UNX", true},
		{"UK", false}, {"GB", false}, {"DE", false}, {"DD", false}, {"<D", false}, {"<<D", false},
		{"D<D", false}, {"U1O", false}, {"", false},
	}
	for _, tt := range tests {
		for _, pos := range []string{"issuing state", "nationality", "both"} {
			d := stateDoc(tt.code, "UTO")
			switch pos {
			case "nationality":
				d = stateDoc("UTO", tt.code)
			case "both":
				d = stateDoc(tt.code, tt.code)
			}
			for f, mz := range inAllFormats(t, d) {
				r := mustParse(t, mz)
				if !slices.Contains(r.Warnings, mrz.WarnUnknownStateCode) {
					t.Errorf("%s, %q as %s: warnings %q, want %s", f, tt.code, pos, r.Warnings, mrz.WarnUnknownStateCode)
				}
				if n := strings.Count(strings.Join(r.Warnings, ","), mrz.WarnUnknownStateCode); n > 1 {
					t.Errorf("%s, %q as %s: warning repeated: %q", f, tt.code, pos, r.Warnings)
				}
				if r.Valid != tt.valid {
					t.Errorf("%s, %q as %s: valid %v, want %v (errors %q)", f, tt.code, pos, r.Valid, tt.valid, r.Errors)
				}
				if tt.valid && (len(r.Errors) != 0 || !slices.Equal(r.Warnings, []string{mrz.WarnUnknownStateCode})) {
					t.Errorf("%s, %q as %s: errors %q warnings %q; want only the warning", f, tt.code, pos, r.Errors, r.Warnings)
				}
			}
		}
	}
}

// The three documents of issue 8 on which a public MRZ checker and
// `booth mrz` disagreed: two passports issued by ASU and an MRV-B with
// nationality BOS. Each is internally valid and must carry the warning.
func TestIssueEightDocuments(t *testing.T) {
	docs := map[string][]string{
		"passport issued by ASU": buildTD3(t, doc{code: "P", state: "ASU", surname: "FLORES", given: "ANA", number: "AB1234567",
			nat: "PRY", birth: "850612", sex: "F", expiry: "310611"}),
		"passport issued by ASU, ASU national": buildTD3(t, doc{code: "P", state: "ASU", surname: "BENITEZ", given: "LUIS", number: "C7654321",
			nat: "ASU", birth: "920228", sex: "M", expiry: "290101", opt: "4455667"}),
		"MRV-B, nationality BOS": buildVisa(t, doc{code: "V", state: "USA", surname: "HODZIC", given: "AMIR", number: "V0012345",
			nat: "BOS", birth: "770301", sex: "M", expiry: "270301"}, 36),
	}
	for name, lines := range docs {
		r := mustParse(t, lines)
		if !slices.Contains(r.Warnings, mrz.WarnUnknownStateCode) {
			t.Errorf("%s: warnings %q", name, r.Warnings)
		}
		if !r.Valid {
			t.Errorf("%s: valid false, errors %q; an unknown code alone must not invalidate", name, r.Errors)
		}
	}
}

// Reader quirks are cleaned before the code is looked up: lower case and
// '_' or '«' fillers do not turn a known code unknown, nor an unknown one
// known.
func TestStateCodesThroughReaderNoise(t *testing.T) {
	for _, tt := range []struct {
		state string
		warn  bool
	}{{"D", false}, {"UTO", false}, {"XXA", false}, {"ASU", true}, {"BOS", true}} {
		for f, mz := range inAllFormats(t, stateDoc(tt.state, tt.state)) {
			for i, raw := range noisy(mz)[:8] { // the variants that keep the MRZ intact
				r, err := mrz.Parse(raw, testNow)
				if err != nil {
					t.Fatalf("%s %s variant %d: %v", f, tt.state, i, err)
				}
				if got := slices.Contains(r.Warnings, mrz.WarnUnknownStateCode); got != tt.warn || !r.Valid {
					t.Errorf("%s %s variant %d (%q): warned %v, want %v; valid %v", f, tt.state, i, raw, got, tt.warn, r.Valid)
				}
			}
		}
	}
}
