package mrz_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/portofentry/booth/records/mrz"
)

// noisy returns variants of a clean MRZ the way readers and clipboards
// mangle it.
func noisy(lines []string) []string {
	joined := strings.Join(lines, "\n")
	return []string{
		joined,
		strings.Join(lines, "\r\n") + "\r\n",
		strings.Join(lines, "\r"),
		strings.ToLower(joined),
		strings.ReplaceAll(joined, "<", "«"),
		strings.ReplaceAll(joined, "<", "_"),
		"\n\n" + joined + "\n\n",
		" " + strings.Join(lines, " \n ") + " ",
		"\x01H\x02" + strings.Join(lines, "\r") + "\r\x03\x7f",
		joined[:len(joined)-1],
		joined + "<",
		strings.Replace(joined, "<", "#", 3),
	}
}

// FuzzParse checks that no input panics or breaks the Result contract.
func FuzzParse(f *testing.F) {
	seeds := [][]string{
		{td3L1, td3L2},
		{td1L1, td1L2, td1L3},
		{"IDD<<T220001293<<<<<<<<<<<<<<<", "6408125<2010315D<<<<<<<<<<<<<4", "MUSTERMANN<<ERIKA<<<<<<<<<<<<<"},
		{"IDBEL592012345<6788<<<<<<<<<<<", "8507228M3104172BEL850722123453", "PEETERS<<JAN<PIETER<<<<<<<<<<<"},
		{"P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<", "C01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4"},
		// Unknown state codes (issue 8): ASU as issuing state, BOS as nationality.
		{"P<ASUFLORES<<ANA<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "AB12345671PRY8506128F3106110<<<<<<<<<<<<<<<0"},
		{"V<USAHODZIC<<AMIR<<<<<<<<<<<<<<<<<<<", "V0012345<6BOS7703012M2703017<<<<<<<<"},
	}
	for _, s := range loadSpecimens(f, specimenFiles[1]) {
		seeds = append(seeds, s.Lines)
	}
	for _, lines := range seeds {
		for _, v := range noisy(lines) {
			f.Add(v)
		}
	}
	f.Add("")
	f.Add("\x02\x03")
	f.Add(strings.Repeat("<", 44) + "\n" + strings.Repeat("<", 44))
	f.Add(strings.Repeat("0", 30) + "\n" + strings.Repeat("0", 30) + "\n" + strings.Repeat("0", 30))
	f.Add(strings.Repeat("<", 9) + "\n" + strings.Repeat("<", 36))

	formats := map[mrz.Format]bool{mrz.TD1: true, mrz.TD2: true, mrz.TD3: true, mrz.MRVA: true, mrz.MRVB: true}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := mrz.Parse(raw, testNow)
		if err != nil {
			if !errors.Is(err, mrz.ErrNotMRZ) || r != nil {
				t.Fatalf("Parse(%q) = %v, %v; want only ErrNotMRZ", raw, r, err)
			}
			return
		}
		if r == nil {
			t.Fatalf("Parse(%q): nil result without error", raw)
		}
		if !formats[r.Format] {
			t.Errorf("format %q", r.Format)
		}
		if r.Warnings == nil || r.Errors == nil {
			t.Errorf("nil warnings or errors")
		}
		if r.Valid != (len(r.Errors) == 0) {
			t.Errorf("valid %v with errors %q", r.Valid, r.Errors)
		}
		switch r.Sex {
		case "F", "M", "X", "":
		default:
			t.Errorf("sex %q", r.Sex)
		}
		if r.Valid && (r.Sex == "" || r.BirthDate == "" || r.ExpiryDate == "") {
			t.Errorf("valid result with an empty sex or date: %+v", r)
		}
		for name, p := range checksMap(r.Checks) {
			if r.Valid && !p {
				t.Errorf("valid result with checks.%s false", name)
			}
		}
		// The warning is exactly "a state field is not a listed code".
		_, stateOK := mrz.StateName(r.IssuingState)
		_, natOK := mrz.StateName(r.Nationality)
		if slices.Contains(r.Warnings, mrz.WarnUnknownStateCode) == (stateOK && natOK) {
			t.Errorf("state %q nationality %q: warnings %q", r.IssuingState, r.Nationality, r.Warnings)
		}
		if (r.Checks.PersonalNumber != nil) != (r.Format == mrz.TD3) ||
			(r.Checks.Composite != nil) != (r.Format != mrz.MRVA && r.Format != mrz.MRVB) {
			t.Errorf("%s carries checks %v", r.Format, checksMap(r.Checks))
		}
	})
}

// sanitize keeps the letters (upper-cased) and digits of s, at most n.
func sanitize(s string, n int, digits bool) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if b.Len() == n {
			break
		}
		if c >= 'A' && c <= 'Z' || digits && c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// FuzzRoundTrip lays out arbitrary well-formed passports and TD1 cards and
// checks they parse back valid with the same data.
func FuzzRoundTrip(f *testing.F) {
	f.Add("ERIKSSON", "ANNA MARIA", "L898902C3", uint32(740812), uint32(300415), "ZE184226B")
	f.Add("A", "", "1", uint32(0), uint32(991231), "")
	f.Add("VAN DER BERG", "JAN", "592012345678", uint32(991231), uint32(280229), "X")
	f.Fuzz(func(t *testing.T, surname, given, number string, birth, expiry uint32, opt string) {
		surname = sanitize(surname, 15, false) // with given names, fits the 30 of a TD1
		given = sanitize(given, 10, false)
		number = sanitize(number, 12, true)
		opt = sanitize(opt, 2, true)
		if surname == "" || number == "" {
			return
		}
		b, e := fmt.Sprintf("%06d", birth%1000000), fmt.Sprintf("%06d", expiry%1000000)
		for _, lines := range [][]string{
			buildTD3(t, doc{code: "P", state: "UTO", surname: surname, given: given, number: number[:min(9, len(number))],
				nat: "UTO", birth: b, sex: "F", expiry: e, opt: opt}),
			buildTD1(t, doc{code: "I", state: "UTO", surname: surname, given: given, number: number,
				nat: "UTO", birth: b, sex: "F", expiry: e, opt: opt}),
		} {
			r := mustParse(t, lines)
			wantNumber := number
			if r.Format == mrz.TD3 {
				wantNumber = number[:min(9, len(number))]
			}
			if r.Surname != surname || r.GivenNames != given || r.DocumentNumber != wantNumber || r.OptionalData != opt {
				t.Errorf("%q: got %q %q %q %q", lines, r.Surname, r.GivenNames, r.DocumentNumber, r.OptionalData)
			}
			for name, ok := range checksMap(r.Checks) {
				if !ok {
					t.Errorf("%q: checks.%s false", lines, name)
				}
			}
			dateErr := hasError(r, "not a calendar date")
			if r.Valid == dateErr || len(r.Errors) > 2 {
				t.Errorf("%q: valid %v errors %q", lines, r.Valid, r.Errors)
			}
		}
	})
}
