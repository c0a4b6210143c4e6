package mrz_test

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// testNow is the clock of the tests: dates are judged against it.
var testNow = time.Date(2026, time.May, 1, 10, 30, 0, 0, time.UTC)

// doc describes a document; the builders lay it out in an MRZ with correct
// check digits, so tests state the data and corrupt only what they mean to.
type doc struct {
	code, state, surname, given, number, nat, birth, sex, expiry string
	opt, opt2                                                    string // optional data (TD1: line 1 and line 2)
}

// pad fills s with '<' to n characters; it fails the test when s is longer.
func pad(t testing.TB, s string, n int) string {
	t.Helper()
	if len(s) > n {
		t.Fatalf("field %q longer than %d", s, n)
	}
	return s + strings.Repeat("<", n-len(s))
}

// cd is the check digit of s.
func cd(t testing.TB, s string) string {
	t.Helper()
	c, ok := mrz.CheckDigit(s)
	if !ok {
		t.Fatalf("no check digit for %q", s)
	}
	return string(c)
}

// nameField lays out surname and given names: components joined by '<'.
func nameField(t testing.TB, d doc, n int) string {
	t.Helper()
	name := strings.ReplaceAll(d.surname, " ", "<")
	if d.given != "" {
		name += "<<" + strings.ReplaceAll(d.given, " ", "<")
	}
	if len(name) > n {
		return name[:n] // truncated as issuers do: no trailing filler
	}
	return pad(t, name, n)
}

func sexChar(d doc) string {
	if d.sex == "" {
		return "<"
	}
	return d.sex
}

// buildTD3 lays out a passport.
func buildTD3(t testing.TB, d doc) []string {
	t.Helper()
	l1 := pad(t, d.code, 2) + pad(t, d.state, 3) + nameField(t, d, 39)
	num := pad(t, d.number, 9)
	pn := pad(t, d.opt, 14)
	pnCD := cd(t, pn)
	if d.opt == "" {
		pnCD = "<"
	}
	l2 := num + cd(t, num) + pad(t, d.nat, 3) + d.birth + cd(t, d.birth) + sexChar(d) +
		d.expiry + cd(t, d.expiry) + pn + pnCD
	l2 += cd(t, l2[0:10]+l2[13:20]+l2[21:43])
	return []string{l1, l2}
}

// buildVisa lays out an MRV-A (width 44) or MRV-B (width 36).
func buildVisa(t testing.TB, d doc, width int) []string {
	t.Helper()
	l1 := pad(t, d.code, 2) + pad(t, d.state, 3) + nameField(t, d, width-5)
	num := pad(t, d.number, 9)
	l2 := num + cd(t, num) + pad(t, d.nat, 3) + d.birth + cd(t, d.birth) + sexChar(d) +
		d.expiry + cd(t, d.expiry) + pad(t, d.opt, width-28)
	return []string{l1, l2}
}

// numberAndOpt lays out a TD1/TD2 document number with its check digit
// and the optional data after it, continuing long numbers into the
// optional data as ICAO 9303 prescribes.
func numberAndOpt(t testing.TB, number, opt string, optLen int) (numField, optField string) {
	t.Helper()
	if len(number) <= 9 {
		n := pad(t, number, 9)
		return n + cd(t, n), pad(t, opt, optLen)
	}
	cont := number[9:] + cd(t, number)
	if opt != "" {
		cont += "<" + opt
	}
	return number[:9] + "<", pad(t, cont, optLen)
}

// buildTD2 lays out a 2×36 ID card.
func buildTD2(t testing.TB, d doc) []string {
	t.Helper()
	l1 := pad(t, d.code, 2) + pad(t, d.state, 3) + nameField(t, d, 31)
	num, opt := numberAndOpt(t, d.number, d.opt, 7)
	l2 := num + pad(t, d.nat, 3) + d.birth + cd(t, d.birth) + sexChar(d) +
		d.expiry + cd(t, d.expiry) + opt
	l2 += cd(t, l2[0:10]+l2[13:20]+l2[21:35])
	return []string{l1, l2}
}

// buildTD1 lays out a 3×30 ID card.
func buildTD1(t testing.TB, d doc) []string {
	t.Helper()
	num, opt := numberAndOpt(t, d.number, d.opt, 15)
	l1 := pad(t, d.code, 2) + pad(t, d.state, 3) + num + opt
	l2 := d.birth + cd(t, d.birth) + sexChar(d) + d.expiry + cd(t, d.expiry) +
		pad(t, d.nat, 3) + pad(t, d.opt2, 11)
	l2 += cd(t, l1[5:30]+l2[0:7]+l2[8:15]+l2[18:29])
	return []string{l1, l2, nameField(t, d, 30)}
}

// set returns a copy of lines with the character at line li, position pos
// (both 0-based) replaced by c.
func set(lines []string, li, pos int, c byte) []string {
	out := append([]string(nil), lines...)
	b := []byte(out[li])
	b[pos] = c
	out[li] = string(b)
	return out
}

// fixComposite recomputes the composite check digit so a test can break
// one field check alone.
func fixComposite(t testing.TB, f mrz.Format, lines []string) []string {
	t.Helper()
	switch f {
	case mrz.TD3:
		l2 := lines[1]
		return set(lines, 1, 43, cd(t, l2[0:10]+l2[13:20]+l2[21:43])[0])
	case mrz.TD2:
		l2 := lines[1]
		return set(lines, 1, 35, cd(t, l2[0:10]+l2[13:20]+l2[21:35])[0])
	case mrz.TD1:
		l1, l2 := lines[0], lines[1]
		return set(lines, 1, 29, cd(t, l1[5:30]+l2[0:7]+l2[8:15]+l2[18:29])[0])
	}
	return lines
}

// mustParse parses lines joined by LF and fails the test on an error.
func mustParse(t testing.TB, lines []string) *mrz.Result {
	t.Helper()
	r, err := mrz.Parse(strings.Join(lines, "\n"), testNow)
	if err != nil {
		t.Fatalf("Parse(%q): %v", lines, err)
	}
	return r
}

// erikaTD3 and friends are ordinary valid documents the tests vary.
func erika() doc {
	return doc{
		code: "P", state: "UTO", surname: "ERIKSSON", given: "ANNA MARIA", number: "L898902C3",
		nat: "UTO", birth: "740812", sex: "F", expiry: "300415", opt: "ZE184226B",
	}
}
