package simulator

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

func TestBuildTD3ReproducesICAOSpecimen(t *testing.T) {
	lines, err := BuildTD3(MRZFields{
		DocumentCode: "P", IssuingState: "UTO", DocumentNumber: "L898902C3",
		Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Nationality: "UTO",
		BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15", Optional: "ZE184226B",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestBuildTD1ReproducesICAOSpecimen(t *testing.T) {
	lines, err := BuildTD1(MRZFields{
		DocumentCode: "I", IssuingState: "UTO", DocumentNumber: "D23145890",
		Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Nationality: "UTO",
		BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"I<UTOD231458907<<<<<<<<<<<<<<<",
		"7408122F1204159UTO<<<<<<<<<<<6",
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// The builder's output must parse valid with the booth's own parser, for
// every shape it makes: long TD1 numbers, Germany's D, sex X, long names.
func TestBuiltMRZParsesValid(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		td1    bool
		f      MRZFields
		number string
		state  string
	}{
		{"td1 long number", true, MRZFields{DocumentCode: "I", IssuingState: "NLD", DocumentNumber: "XR9F2K7LM041", Surname: "VAN DEN BERG", GivenNames: "PIETER JAN", Nationality: "NLD", BirthDate: "1971-08-25", Sex: "M", ExpiryDate: "2031-03-07"}, "XR9F2K7LM041", "NLD"},
		{"td1 germany", true, MRZFields{DocumentCode: "ID", IssuingState: "DEU", DocumentNumber: "LZ6311T47", Surname: "WEBER", GivenNames: "ANNA", Nationality: "DEU", BirthDate: "1995-12-03", Sex: "F", ExpiryDate: "2030-12-02"}, "LZ6311T47", "DEU"},
		{"td3 sex X", false, MRZFields{DocumentCode: "P", IssuingState: "FRA", DocumentNumber: "19AV52117", Surname: "DUBOIS", GivenNames: "CAMILLE", Nationality: "FRA", BirthDate: "1987-06-06", Sex: "X", ExpiryDate: "2029-06-05"}, "19AV52117", "FRA"},
		{"td3 short number", false, MRZFields{DocumentCode: "P", IssuingState: "CAN", DocumentNumber: "HK482913", Surname: "ROBERTS", GivenNames: "EMILY CLAIRE", Nationality: "CAN", BirthDate: "1986-02-28", Sex: "F", ExpiryDate: "2030-10-19"}, "HK482913", "CAN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			build := BuildTD3
			if tt.td1 {
				build = BuildTD1
			}
			lines, err := build(tt.f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := mrz.ParseLines(lines, now)
			if err != nil {
				t.Fatalf("ParseLines(%q): %v", lines, err)
			}
			if !r.Valid || r.DocumentNumber != tt.number || r.IssuingStateISO != tt.state {
				t.Errorf("ParseLines(%q) = valid %v number %q state %q, errors %v", lines, r.Valid, r.DocumentNumber, r.IssuingStateISO, r.Errors)
			}
		})
	}
}

func TestBuildRejectsBadFields(t *testing.T) {
	base := MRZFields{DocumentCode: "P", IssuingState: "USA", DocumentNumber: "123456789", Surname: "DOE", Nationality: "USA", BirthDate: "1980-01-01", Sex: "M", ExpiryDate: "2030-01-01"}
	tests := []struct {
		name string
		edit func(*MRZFields)
		want string
	}{
		{"bad state", func(f *MRZFields) { f.IssuingState = "U1" }, "issuing state"},
		{"bad birth", func(f *MRZFields) { f.BirthDate = "1980-13-01" }, "birth date"},
		{"bad sex", func(f *MRZFields) { f.Sex = "Q" }, "sex"},
		{"lower-case name", func(f *MRZFields) { f.Surname = "doe" }, "name"},
		{"long td3 number", func(f *MRZFields) { f.DocumentNumber = "1234567890" }, "longer than 9"},
		{"bad number chars", func(f *MRZFields) { f.DocumentNumber = "12-45" }, "document number"},
		{"empty code", func(f *MRZFields) { f.DocumentCode = "" }, "document code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			tt.edit(&f)
			_, err := BuildTD3(f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("BuildTD3 error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
