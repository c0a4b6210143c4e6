package mrz

import (
	"fmt"
	"strings"
	"time"
)

// Warning codes beyond those in result.go.
const (
	// WarnUnusualDocumentCode: the document code does not start with the
	// letter ICAO 9303 gives that layout (P for TD3; I, A or C for TD1/TD2).
	WarnUnusualDocumentCode = "unusual_document_code"
	// WarnOCRLetterO prefixes a hint that a check digit would pass if the
	// letter O in a numeric field were the digit 0 (a common OCR confusion);
	// the field name follows the colon, e.g. "ocr_o_for_zero:birth_date".
	// The data is never corrected: the officer decides.
	WarnOCRLetterO = "ocr_o_for_zero"
)

// decoder fills one Result; its methods decode the MRZ fields and record
// what is wrong with them as errors and warnings.
type decoder struct {
	r   *Result
	now time.Time
}

func (d *decoder) errorf(format string, a ...any) {
	d.r.Errors = append(d.r.Errors, fmt.Sprintf(format, a...))
}

func (d *decoder) warn(code string) {
	for _, w := range d.r.Warnings {
		if w == code {
			return
		}
	}
	d.r.Warnings = append(d.r.Warnings, code)
}

// trimFiller removes trailing fillers.
func trimFiller(s string) string { return strings.TrimRight(s, "<") }

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return true
}

// documentCode decodes the two-character document code; first are the
// letters ICAO 9303 allows first for this layout.
func (d *decoder) documentCode(s, first string) {
	d.r.DocumentCode = trimFiller(s)
	if !isLetter(s[0]) || !(isLetter(s[1]) || s[1] == '<') {
		d.errorf("document code %q is not a letter followed by a letter or <", s)
		return
	}
	if !strings.ContainsRune(first, rune(s[0])) {
		d.warn(WarnUnusualDocumentCode)
	}
}

// country decodes a three-character state code and its ISO 3166 alpha-3
// form. Germany's code is the single letter D (written "D<<"). A field that
// is not a code of Doc 9303 Part 3 (missing and malformed ones included)
// gives WarnUnknownStateCode; only a malformed or missing one is an error.
func (d *decoder) country(field, what string) (code, iso string) {
	if _, ok := StateName(field); !ok {
		d.warn(WarnUnknownStateCode)
	}
	code = trimFiller(field)
	switch {
	case code == "D":
		return code, "DEU"
	case len(code) == 3 && allLetters(code):
		return code, code
	case code == "":
		d.errorf("%s is missing", what)
	default:
		d.errorf("%s %q is not a state code", what, field)
	}
	return code, ""
}

// sex decodes the sex field: '<' is unspecified, which docs/design.md §4.6 reports
// as X.
func (d *decoder) sex(c byte) string {
	switch c {
	case 'F', 'M':
		return string(c)
	case 'X', '<':
		return "X"
	}
	d.errorf("sex %q is not F, M, X or <", c)
	return ""
}

// name decodes the name field: the primary identifier (surname) comes
// first, "<<" separates it from the secondary identifiers (given names) and
// "<" separates components of each.
func (d *decoder) name(field string) {
	if field[len(field)-1] != '<' {
		d.warn(WarnNameTruncated)
	}
	for i := 0; i < len(field); i++ {
		if c := field[i]; !isLetter(c) && c != '<' {
			d.errorf("name contains %q; names are written with A–Z and <", c)
			break
		}
	}
	primary, secondary, _ := strings.Cut(trimFiller(field), "<<")
	d.r.Surname = joinComponents(primary)
	d.r.GivenNames = joinComponents(secondary)
}

// joinComponents turns "ANNA<MARIA" into "ANNA MARIA", skipping empty
// components.
func joinComponents(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}

// check reports whether cd is the check digit of field.
func check(field string, cd byte) bool {
	want, ok := CheckDigit(field)
	return ok && want == cd
}

// verify checks a check digit and records an error when it fails. numeric
// says field holds only digits, so a letter O there may be an OCR'd 0: if
// reading it so would make the check pass, a hint is added (never a fix).
func (d *decoder) verify(name, label, field string, cd byte, numeric bool) bool {
	if check(field, cd) {
		return true
	}
	want, ok := CheckDigit(field)
	switch {
	case !ok:
		d.errorf("%s check digit cannot be computed: the field holds characters outside the MRZ alphabet", label)
	default:
		d.errorf("%s check digit is %q, computed %q", label, cd, want)
	}
	alt, altCD := field, cd
	if numeric {
		alt = strings.ReplaceAll(field, "O", "0")
	}
	if altCD == 'O' {
		altCD = '0'
	}
	if (alt != field || altCD != cd) && check(alt, altCD) {
		d.warn(WarnOCRLetterO + ":" + name)
	}
	return false
}

// dateKind selects the century rule of a date field.
type dateKind int

const (
	birthDate dateKind = iota
	expiryDate
)

func (k dateKind) String() string {
	if k == birthDate {
		return "birth date"
	}
	return "expiry date"
}

// date decodes a YYMMDD field to an ISO date, "" when it is not a valid
// date. Birth dates take the century giving the latest date not after now;
// expiry dates are 20YY unless that is more than 20 years after now.
func (d *decoder) date(field string, kind dateKind) string {
	if strings.Contains(field, "<") {
		d.errorf("%s %s is not a complete date (unknown parts)", kind, field)
		return ""
	}
	var v [3]int
	for i := range 6 {
		c := field[i]
		if c < '0' || c > '9' {
			d.errorf("%s %s is not a date: it must be six digits", kind, field)
			return ""
		}
		v[i/2] = v[i/2]*10 + int(c-'0')
	}
	yy, mm, dd := v[0], v[1], v[2]
	ny, nm, nd := d.now.Date()
	year := 2000 + yy
	switch kind {
	case birthDate:
		if after(year, mm, dd, ny, int(nm), nd) {
			year -= 100
		}
	case expiryDate:
		if after(year, mm, dd, ny+20, int(nm), nd) {
			year -= 100
		}
	}
	t := time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if mm < 1 || mm > 12 || dd < 1 || t.Day() != dd {
		d.errorf("%s %s is not a calendar date", kind, field)
		return ""
	}
	iso := t.Format(time.DateOnly)
	if kind == expiryDate && after(ny, int(nm), nd, year, mm, dd) {
		d.warn(WarnExpired)
	}
	return iso
}

// after reports whether date y1-m1-d1 is after y2-m2-d2 (no calendar
// validation: it orders the digits as written).
func after(y1, m1, d1, y2, m2, d2 int) bool {
	if y1 != y2 {
		return y1 > y2
	}
	if m1 != m2 {
		return m1 > m2
	}
	return d1 > d2
}
