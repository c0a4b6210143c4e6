package mrz_test

import (
	"slices"
	"testing"

	"github.com/portofentry/booth/records/mrz"
)

// want is the part of a Result a test states; empty strings are checked
// too, so a test says what every listed field must be.
type want struct {
	format                                     mrz.Format
	code, state, stateISO, number, nat, natISO string
	birth, sex, expiry, surname, given, opt    string
}

// checkDoc asserts a valid Result with the fields of w and exactly the
// warnings given.
func checkDoc(t *testing.T, r *mrz.Result, w want, warnings ...string) {
	t.Helper()
	got := want{
		r.Format, r.DocumentCode, r.IssuingState, r.IssuingStateISO, r.DocumentNumber, r.Nationality, r.NationalityISO,
		r.BirthDate, r.Sex, r.ExpiryDate, r.Surname, r.GivenNames, r.OptionalData,
	}
	if got != w {
		t.Errorf("got  %+v\nwant %+v", got, w)
	}
	if warnings == nil {
		warnings = []string{}
	}
	if !slices.Equal(r.Warnings, warnings) {
		t.Errorf("warnings = %q, want %q", r.Warnings, warnings)
	}
	if !r.Valid || len(r.Errors) != 0 {
		t.Errorf("valid = %v, errors = %q; want a valid document", r.Valid, r.Errors)
	}
}

func TestDocuments(t *testing.T) {
	tests := []struct {
		name     string
		lines    []string
		want     want
		warnings []string
	}{
		{
			name: "German ID card (D<< as state and nationality, sex <)",
			lines: []string{
				"IDD<<T220001293<<<<<<<<<<<<<<<",
				"6408125<2010315D<<<<<<<<<<<<<4",
				"MUSTERMANN<<ERIKA<<<<<<<<<<<<<",
			},
			want: want{format: mrz.TD1, code: "ID", state: "D", stateISO: "DEU", number: "T22000129", nat: "D", natISO: "DEU",
				birth: "1964-08-12", sex: "X", expiry: "2020-10-31", surname: "MUSTERMANN", given: "ERIKA"},
			warnings: []string{mrz.WarnExpired},
		},
		{
			name: "German passport",
			lines: []string{
				"P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<",
				"C01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4",
			},
			want: want{format: mrz.TD3, code: "P", state: "D", stateISO: "DEU", number: "C01X00T47", nat: "D", natISO: "DEU",
				birth: "1964-08-12", sex: "F", expiry: "2027-02-28", surname: "MUSTERMANN", given: "ERIKA"},
		},
		{
			name: "Belgian ID card, 12-digit number continued in the optional data",
			lines: []string{
				"IDBEL592012345<6788<<<<<<<<<<<",
				"8507228M3104172BEL850722123453",
				"PEETERS<<JAN<PIETER<<<<<<<<<<<",
			},
			want: want{format: mrz.TD1, code: "ID", state: "BEL", stateISO: "BEL", number: "592012345678", nat: "BEL", natISO: "BEL",
				birth: "1985-07-22", sex: "M", expiry: "2031-04-17", surname: "PEETERS", given: "JAN PIETER", opt: "85072212345"},
		},
		{
			name:  "US passport, no personal number",
			lines: buildTD3(t, doc{code: "P", state: "USA", surname: "SMITH", given: "JOHN PAUL", number: "E12345678", nat: "USA", birth: "900115", sex: "M", expiry: "330114"}),
			want: want{format: mrz.TD3, code: "P", state: "USA", stateISO: "USA", number: "E12345678", nat: "USA", natISO: "USA",
				birth: "1990-01-15", sex: "M", expiry: "2033-01-14", surname: "SMITH", given: "JOHN PAUL"},
		},
		{
			name:  "US passport card (TD1, code IP)",
			lines: buildTD1(t, doc{code: "IP", state: "USA", surname: "TRAVELER", given: "HAPPY", number: "C03005988", nat: "USA", birth: "650101", sex: "F", expiry: "290101"}),
			want: want{format: mrz.TD1, code: "IP", state: "USA", stateISO: "USA", number: "C03005988", nat: "USA", natISO: "USA",
				birth: "1965-01-01", sex: "F", expiry: "2029-01-01", surname: "TRAVELER", given: "HAPPY"},
		},
		{
			name: "Mexican passport, compound surnames",
			lines: buildTD3(t, doc{code: "P", state: "MEX", surname: "GARCIA DE LA CRUZ", given: "MARIA GUADALUPE", number: "G12345678",
				nat: "MEX", birth: "021224", sex: "F", expiry: "320301"}),
			want: want{format: mrz.TD3, code: "P", state: "MEX", stateISO: "MEX", number: "G12345678", nat: "MEX", natISO: "MEX",
				birth: "2002-12-24", sex: "F", expiry: "2032-03-01", surname: "GARCIA DE LA CRUZ", given: "MARIA GUADALUPE"},
		},
		{
			name: "Dutch passport with BSN as personal number",
			lines: buildTD3(t, doc{code: "P", state: "NLD", surname: "DE BRUIJN", given: "WILLEKE LISELOTTE", number: "SPECI2014",
				nat: "NLD", birth: "650310", sex: "F", expiry: "340309", opt: "999999990"}),
			want: want{format: mrz.TD3, code: "P", state: "NLD", stateISO: "NLD", number: "SPECI2014", nat: "NLD", natISO: "NLD",
				birth: "1965-03-10", sex: "F", expiry: "2034-03-09", surname: "DE BRUIJN", given: "WILLEKE LISELOTTE", opt: "999999990"},
		},
		{
			name: "Dutch ID card with BSN in optional data 1",
			lines: buildTD1(t, doc{code: "I", state: "NLD", surname: "DE BRUIJN", given: "WILLEKE", number: "SPECI2021",
				nat: "NLD", birth: "650310", sex: "F", expiry: "310816", opt: "999999990"}),
			want: want{format: mrz.TD1, code: "I", state: "NLD", stateISO: "NLD", number: "SPECI2021", nat: "NLD", natISO: "NLD",
				birth: "1965-03-10", sex: "F", expiry: "2031-08-16", surname: "DE BRUIJN", given: "WILLEKE", opt: "999999990"},
		},
		{
			name: "TD1 with both optional data elements",
			lines: buildTD1(t, doc{code: "AC", state: "UTO", surname: "DOE", given: "JANE", number: "AB1234567",
				nat: "UTO", birth: "010203", sex: "F", expiry: "280203", opt: "OPT1", opt2: "OPT2<X"}),
			want: want{format: mrz.TD1, code: "AC", state: "UTO", stateISO: "UTO", number: "AB1234567", nat: "UTO", natISO: "UTO",
				birth: "2001-02-03", sex: "F", expiry: "2028-02-03", surname: "DOE", given: "JANE", opt: "OPT1 OPT2<X"},
		},
		{
			name: "TD2 with a 13-character number continued in the optional data",
			lines: buildTD2(t, doc{code: "I", state: "UTO", surname: "ERIKSSON", given: "ANNA", number: "D2314589012AB",
				nat: "UTO", birth: "740812", sex: "F", expiry: "300415"}),
			want: want{format: mrz.TD2, code: "I", state: "UTO", stateISO: "UTO", number: "D2314589012AB", nat: "UTO", natISO: "UTO",
				birth: "1974-08-12", sex: "F", expiry: "2030-04-15", surname: "ERIKSSON", given: "ANNA"},
		},
		{
			name: "TD2 with the longest number that fits (15)",
			lines: buildTD2(t, doc{code: "I", state: "UTO", surname: "A", number: "ABCDEFGHIJKLMNO",
				nat: "UTO", birth: "740812", sex: "M", expiry: "300415"}),
			want: want{format: mrz.TD2, code: "I", state: "UTO", stateISO: "UTO", number: "ABCDEFGHIJKLMNO", nat: "UTO", natISO: "UTO",
				birth: "1974-08-12", sex: "M", expiry: "2030-04-15", surname: "A"},
		},
		{
			name: "TD1 long number followed by more optional data",
			lines: buildTD1(t, doc{code: "I", state: "UTO", surname: "A", number: "1234567890123",
				nat: "UTO", birth: "740812", sex: "M", expiry: "300415", opt: "XY12"}),
			want: want{format: mrz.TD1, code: "I", state: "UTO", stateISO: "UTO", number: "1234567890123", nat: "UTO", natISO: "UTO",
				birth: "1974-08-12", sex: "M", expiry: "2030-04-15", surname: "A", opt: "XY12"},
		},
		{
			name: "US visa (MRV-A) for a Mexican national",
			lines: buildVisa(t, doc{code: "VN", state: "USA", surname: "HERNANDEZ LOPEZ", given: "JOSE LUIS", number: "123456789",
				nat: "MEX", birth: "780704", sex: "M", expiry: "340703", opt: "B1B2"}, 44),
			want: want{format: mrz.MRVA, code: "VN", state: "USA", stateISO: "USA", number: "123456789", nat: "MEX", natISO: "MEX",
				birth: "1978-07-04", sex: "M", expiry: "2034-07-03", surname: "HERNANDEZ LOPEZ", given: "JOSE LUIS", opt: "B1B2"},
		},
		{
			name: "Schengen visa (MRV-B) for a stateless person, sex X",
			lines: buildVisa(t, doc{code: "VC", state: "D", surname: "NOMAD", given: "ALEX", number: "00123456",
				nat: "XXA", birth: "991231", sex: "X", expiry: "260601"}, 36),
			want: want{format: mrz.MRVB, code: "VC", state: "D", stateISO: "DEU", number: "00123456", nat: "XXA", natISO: "XXA",
				birth: "1999-12-31", sex: "X", expiry: "2026-06-01", surname: "NOMAD", given: "ALEX"},
		},
		{
			name: "mononym: no given names",
			lines: buildTD3(t, doc{code: "P", state: "IDN", surname: "SUKARNO", number: "A1234567", nat: "IDN",
				birth: "800101", sex: "M", expiry: "290101"}),
			want: want{format: mrz.TD3, code: "P", state: "IDN", stateISO: "IDN", number: "A1234567", nat: "IDN", natISO: "IDN",
				birth: "1980-01-01", sex: "M", expiry: "2029-01-01", surname: "SUKARNO"},
		},
		{
			name: "truncated name: no trailing filler",
			lines: buildTD3(t, doc{code: "P", state: "ESP", surname: "RODRIGUEZ DE LA FUENTE SANCHEZ", given: "MARIA DEL CARMEN",
				number: "PAA000123", nat: "ESP", birth: "700101", sex: "F", expiry: "290101"}),
			want: want{format: mrz.TD3, code: "P", state: "ESP", stateISO: "ESP", number: "PAA000123", nat: "ESP", natISO: "ESP",
				birth: "1970-01-01", sex: "F", expiry: "2029-01-01", surname: "RODRIGUEZ DE LA FUENTE SANCHEZ", given: "MARIA D"},
			warnings: []string{mrz.WarnNameTruncated},
		},
		{
			name: "British overseas territories citizen keeps its code",
			lines: buildTD3(t, doc{code: "P", state: "GBR", surname: "JONES", given: "AMY", number: "123456789", nat: "GBD",
				birth: "880229", sex: "F", expiry: "300101"}),
			want: want{format: mrz.TD3, code: "P", state: "GBR", stateISO: "GBR", number: "123456789", nat: "GBD", natISO: "GBD",
				birth: "1988-02-29", sex: "F", expiry: "2030-01-01", surname: "JONES", given: "AMY"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDoc(t, mustParse(t, tt.lines), tt.want, tt.warnings...)
		})
	}
}

// Filler-only name fields happen on documents issued before the name was
// known (and on test cards); they decode to empty names, not an error.
func TestFillerOnlyName(t *testing.T) {
	d := erika()
	d.surname, d.given = "", ""
	r := mustParse(t, buildTD3(t, d))
	if r.Surname != "" || r.GivenNames != "" || !r.Valid {
		t.Errorf("surname %q given %q valid %v errors %q", r.Surname, r.GivenNames, r.Valid, r.Errors)
	}
	if slices.Contains(r.Warnings, mrz.WarnNameTruncated) {
		t.Errorf("filler-only name reported truncated")
	}
}

func TestDocumentCodeDecidesVisa(t *testing.T) {
	base := erika()
	for _, tt := range []struct {
		lines []string
		want  mrz.Format
	}{
		{buildTD3(t, base), mrz.TD3},
		{buildVisa(t, doc{code: "V", state: "UTO", surname: "A", number: "1", nat: "UTO", birth: "700101", sex: "M", expiry: "300101"}, 44), mrz.MRVA},
		{buildTD2(t, doc{code: "I", state: "UTO", surname: "A", number: "1", nat: "UTO", birth: "700101", sex: "M", expiry: "300101"}), mrz.TD2},
		{buildVisa(t, doc{code: "V", state: "UTO", surname: "A", number: "1", nat: "UTO", birth: "700101", sex: "M", expiry: "300101"}, 36), mrz.MRVB},
	} {
		if r := mustParse(t, tt.lines); r.Format != tt.want {
			t.Errorf("%q: format %s, want %s", tt.lines[0], r.Format, tt.want)
		}
	}
}

func TestUnusualDocumentCode(t *testing.T) {
	tests := []struct {
		lines []string
		warn  bool
	}{
		{buildTD3(t, doc{code: "PO", state: "UTO", surname: "A", number: "1", nat: "UTO", birth: "700101", sex: "M", expiry: "300101"}), false},
		{buildTD3(t, doc{code: "I", state: "UTO", surname: "A", number: "1", nat: "UTO", birth: "700101", sex: "M", expiry: "300101"}), true},
		{buildTD1(t, doc{code: "C", state: "UTO", surname: "A", number: "1", nat: "UTO", birth: "700101", sex: "M", expiry: "300101"}), false},
		{buildTD1(t, doc{code: "P", state: "UTO", surname: "A", number: "1", nat: "UTO", birth: "700101", sex: "M", expiry: "300101"}), true},
		{buildTD2(t, doc{code: "A", state: "UTO", surname: "A", number: "1", nat: "UTO", birth: "700101", sex: "M", expiry: "300101"}), false},
	}
	for _, tt := range tests {
		r := mustParse(t, tt.lines)
		if got := slices.Contains(r.Warnings, mrz.WarnUnusualDocumentCode); got != tt.warn {
			t.Errorf("%q: unusual_document_code = %v, want %v", tt.lines[0][:2], got, tt.warn)
		}
		if !r.Valid {
			t.Errorf("%q: an unusual code alone must not invalidate: %q", tt.lines[0][:2], r.Errors)
		}
	}
}
