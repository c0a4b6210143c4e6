package mrz_test

import (
	"errors"
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
		if (r.Checks.PersonalNumber != nil) != (r.Format == mrz.TD3) ||
			(r.Checks.Composite != nil) != (r.Format != mrz.MRVA && r.Format != mrz.MRVB) {
			t.Errorf("%s carries checks %v", r.Format, checksMap(r.Checks))
		}
	})
}
