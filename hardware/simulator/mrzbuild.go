package simulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
)

// MRZFields is what goes into a document's machine-readable zone. Countries
// are ISO 3166 alpha-3 (DEU is written as the ICAO code D); dates are
// YYYY-MM-DD; names are upper-case Latin letters, spaces and hyphens.
type MRZFields struct {
	DocumentCode   string // P, ID, I, C1… (at most 2 characters)
	IssuingState   string
	DocumentNumber string // TD1 numbers longer than 9 continue in the optional data
	Surname        string
	GivenNames     string
	Nationality    string
	BirthDate      string
	Sex            string // F, M or X
	ExpiryDate     string
	// Optional is the personal number (TD3, 14 characters) or the optional
	// data of TD1 line 2 (11 characters).
	Optional string
}

// BuildTD3 returns the two 44-character lines of a passport.
func BuildTD3(f MRZFields) ([]string, error) {
	if len(f.DocumentNumber) > 9 {
		return nil, fmt.Errorf("build TD3: document number %q longer than 9", f.DocumentNumber)
	}
	common, err := mrzCommon(f)
	if err != nil {
		return nil, fmt.Errorf("build TD3: %w", err)
	}
	name, err := mrzName(f.Surname, f.GivenNames, 39)
	if err != nil {
		return nil, fmt.Errorf("build TD3: %w", err)
	}
	personal, err := mrzField(f.Optional, 14, "personal number")
	if err != nil {
		return nil, fmt.Errorf("build TD3: %w", err)
	}
	num := pad(f.DocumentNumber, 9)
	l1 := pad(common.code, 2) + common.issuer + name
	numCD := cd(num)
	perCD := cd(personal)
	l2 := num + numCD + common.nat + common.birth + cd(common.birth) + common.sex +
		common.expiry + cd(common.expiry) + personal + perCD
	composite := cd(l2[0:10] + l2[13:20] + l2[21:43])
	return []string{l1, l2 + composite}, nil
}

// BuildTD1 returns the three 30-character lines of an ID card. A document
// number longer than 9 characters is written the ICAO 9303 way: the first 9
// in the number field, '<' as its check digit, the rest at the start of the
// optional data followed by the check digit of the whole number.
func BuildTD1(f MRZFields) ([]string, error) {
	common, err := mrzCommon(f)
	if err != nil {
		return nil, fmt.Errorf("build TD1: %w", err)
	}
	name, err := mrzName(f.Surname, f.GivenNames, 30)
	if err != nil {
		return nil, fmt.Errorf("build TD1: %w", err)
	}
	opt2, err := mrzField(f.Optional, 11, "optional data")
	if err != nil {
		return nil, fmt.Errorf("build TD1: %w", err)
	}
	var numField, opt1 string
	switch n := f.DocumentNumber; {
	case len(n) <= 9:
		numField = pad(n, 9) + cd(pad(n, 9))
		opt1 = pad("", 15)
	case len(n) <= 9+13:
		numField = n[:9] + "<"
		opt1 = pad(n[9:]+cd(n)+"<", 15)
	default:
		return nil, fmt.Errorf("build TD1: document number %q too long", n)
	}
	if strings.Trim(f.DocumentNumber, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return nil, fmt.Errorf("build TD1: document number %q has characters outside A-Z 0-9", f.DocumentNumber)
	}
	l1 := pad(common.code, 2) + common.issuer + numField + opt1
	l2 := common.birth + cd(common.birth) + common.sex + common.expiry + cd(common.expiry) + common.nat + opt2
	composite := cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
	return []string{l1, l2 + composite, name}, nil
}

// mrzParts holds the fields TD1 and TD3 share, already in MRZ form.
type mrzParts struct {
	code, issuer, nat, birth, sex, expiry string
}

func mrzCommon(f MRZFields) (mrzParts, error) {
	var p mrzParts
	if len(f.DocumentCode) == 0 || len(f.DocumentCode) > 2 {
		return p, fmt.Errorf("document code %q must be 1 or 2 characters", f.DocumentCode)
	}
	p.code = f.DocumentCode
	var err error
	if p.issuer, err = icaoState(f.IssuingState); err != nil {
		return p, fmt.Errorf("issuing state: %w", err)
	}
	if p.nat, err = icaoState(f.Nationality); err != nil {
		return p, fmt.Errorf("nationality: %w", err)
	}
	if p.birth, err = yymmdd(f.BirthDate); err != nil {
		return p, fmt.Errorf("birth date: %w", err)
	}
	if p.expiry, err = yymmdd(f.ExpiryDate); err != nil {
		return p, fmt.Errorf("expiry date: %w", err)
	}
	switch f.Sex {
	case "F", "M":
		p.sex = f.Sex
	case "X", "":
		p.sex = "<"
	default:
		return p, fmt.Errorf("sex %q is not F, M or X", f.Sex)
	}
	if _, err := mrzField(f.DocumentNumber, 22, "document number"); err != nil {
		return p, err
	}
	return p, nil
}

// icaoState turns an ISO alpha-3 code into the 3-character MRZ field;
// Germany is the ICAO code D.
func icaoState(iso string) (string, error) {
	if iso == "DEU" {
		return "D<<", nil
	}
	if len(iso) != 3 || strings.Trim(iso, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", fmt.Errorf("%q is not an alpha-3 code", iso)
	}
	return iso, nil
}

func yymmdd(iso string) (string, error) {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return "", fmt.Errorf("%q is not YYYY-MM-DD", iso)
	}
	return t.Format("060102"), nil
}

// mrzName writes "SURNAME<<GIVEN<NAMES" padded or truncated to width.
func mrzName(surname, given string, width int) (string, error) {
	conv := func(s string) (string, error) {
		var b strings.Builder
		for _, r := range strings.TrimSpace(s) {
			switch {
			case r >= 'A' && r <= 'Z':
				b.WriteRune(r)
			case r == ' ' || r == '-':
				b.WriteByte('<')
			case r == '\'':
				// Apostrophes are dropped (O'CONNOR -> OCONNOR).
			default:
				return "", fmt.Errorf("name %q has %q, not an MRZ character", s, r)
			}
		}
		return b.String(), nil
	}
	s, err := conv(surname)
	if err != nil {
		return "", err
	}
	g, err := conv(given)
	if err != nil {
		return "", err
	}
	name := s
	if g != "" {
		name += "<<" + g
	}
	if len(name) > width {
		name = name[:width]
	}
	return pad(name, width), nil
}

// mrzField checks that s fits width in the MRZ alphabet and pads it.
func mrzField(s string, width int, what string) (string, error) {
	if len(s) > width {
		return "", fmt.Errorf("%s %q longer than %d", what, s, width)
	}
	if strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<") != "" {
		return "", fmt.Errorf("%s %q has characters outside A-Z 0-9 <", what, s)
	}
	return pad(s, width), nil
}

func pad(s string, width int) string {
	if len(s) >= width {
		return s
	}
	return s + strings.Repeat("<", width-len(s))
}

// cd is the check digit of s, which callers have restricted to the MRZ
// alphabet.
func cd(s string) string {
	d, ok := mrz.CheckDigit(s)
	if !ok {
		return "<"
	}
	return string(d)
}

// travelerMRZ builds the MRZ of a fixture traveler's document: TD1 for ID
// cards (type ID or I), TD3 otherwise.
func travelerMRZ(t records.TravelerRecord) ([]string, error) {
	f := MRZFields{
		DocumentCode:   t.Document.Type,
		IssuingState:   t.Document.Country,
		DocumentNumber: t.Document.Number,
		Surname:        t.Surname,
		GivenNames:     t.GivenNames,
		Nationality:    t.Nationality,
		BirthDate:      t.BirthDate,
		Sex:            t.Sex,
		ExpiryDate:     t.ExpiryDate,
	}
	switch t.Document.Type {
	case "ID", "I":
		return BuildTD1(f)
	default:
		return BuildTD3(f)
	}
}
