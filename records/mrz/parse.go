package mrz

import (
	"strings"
	"time"
)

// Parse decodes the MRZ in raw reader output as an officer or technician
// would paste it: CR, LF or CRLF line ends, '_' or '«' for the filler,
// lower case, stray spaces, empty lines for missing rows and leftover
// STX/ETX framing are all accepted. now decides the century of dates and
// whether the document has expired.
//
// Input without an MRZ shape (3×30, 2×36 or 2×44 characters after
// cleaning) returns an error wrapping ErrNotMRZ. A recognised shape always
// returns a Result; it is Valid when every character, check digit, date,
// state code, sex and document code is right, else Errors explain each
// problem. An issuing state or nationality that is well formed but not an
// ICAO 9303 Part 3 code is a warning (WarnUnknownStateCode), not an error:
// Valid keeps meaning that the MRZ itself is right. Nothing is corrected: a
// letter O in a numeric field stays an error, with a WarnOCRLetterO hint
// when reading it as 0 would pass.
func Parse(raw string, now time.Time) (*Result, error) {
	c, err := clean(raw)
	if err != nil {
		return nil, err
	}
	return decode(c, now), nil
}

// ParseLines is Parse for input already split into lines, as the serial
// driver collects it. The same cleaning rules apply.
func ParseLines(lines []string, now time.Time) (*Result, error) {
	return Parse(strings.Join(lines, "\n"), now)
}

// decode dispatches a cleaned read of a known shape to its layout.
func decode(c *cleaned, now time.Time) *Result {
	d := &decoder{
		r:   &Result{Warnings: []string{}, Errors: []string{}},
		now: now,
	}
	d.r.Errors = append(d.r.Errors, c.invalidCharErrors()...)
	shape, _ := c.format() // clean has already accepted the shape
	l1, l2 := c.line(0), c.line(1)
	visa := l1[0] == 'V'
	switch {
	case shape == TD1:
		d.td1(l1, l2, c.line(2))
	case shape == TD2 && visa:
		d.visa(MRVB, l1, l2)
	case shape == TD2:
		d.td2(l1, l2)
	case visa:
		d.visa(MRVA, l1, l2)
	default:
		d.td3(l1, l2)
	}
	d.r.Valid = len(d.r.Errors) == 0
	return d.r
}

// td3 decodes a passport (2×44).
func (d *decoder) td3(l1, l2 string) {
	r := d.r
	r.Format = TD3
	d.documentCode(l1[0:2], "P")
	r.IssuingState, r.IssuingStateISO = d.country(l1[2:5], "issuing state")
	d.name(l1[5:44])
	d.dataLine(l2)

	personal, pcd := l2[28:42], l2[42]
	// A personal number left empty may carry '<' as its check digit.
	pnOK := (pcd == '<' && strings.Trim(personal, "<") == "") ||
		d.verify("personal_number", "personal number", personal, pcd, false)
	r.OptionalData = trimFiller(personal)

	composite := d.verify("composite", "composite", l2[0:10]+l2[13:20]+l2[21:43], l2[43], false)
	r.Checks.PersonalNumber = &pnOK
	r.Checks.Composite = &composite
}

// visa decodes MRV-A (2×44) and MRV-B (2×36): the TD3/TD2 data line
// without personal number and composite check digits.
func (d *decoder) visa(f Format, l1, l2 string) {
	r := d.r
	r.Format = f
	d.documentCode(l1[0:2], "V")
	r.IssuingState, r.IssuingStateISO = d.country(l1[2:5], "issuing state")
	d.name(l1[5:])
	d.dataLine(l2)
	r.OptionalData = trimFiller(l2[28:])
}

// td2 decodes an ID card of 2×36.
func (d *decoder) td2(l1, l2 string) {
	r := d.r
	r.Format = TD2
	d.documentCode(l1[0:2], "IAC")
	r.IssuingState, r.IssuingStateISO = d.country(l1[2:5], "issuing state")
	d.name(l1[5:36])
	d.personalData(l2[10:13], l2[13:19], l2[19], l2[20], l2[21:27], l2[27])
	r.OptionalData = d.documentNumber(l2[0:9], l2[9], l2[28:35])
	composite := d.verify("composite", "composite", l2[0:10]+l2[13:20]+l2[21:35], l2[35], false)
	r.Checks.Composite = &composite
}

// td1 decodes an ID card of 3×30.
func (d *decoder) td1(l1, l2, l3 string) {
	r := d.r
	r.Format = TD1
	d.documentCode(l1[0:2], "IAC")
	r.IssuingState, r.IssuingStateISO = d.country(l1[2:5], "issuing state")
	opt1 := d.documentNumber(l1[5:14], l1[14], l1[15:30])
	d.personalData(l2[15:18], l2[0:6], l2[6], l2[7], l2[8:14], l2[14])
	// One optional_data field carries both optional elements of a TD1.
	opt2 := trimFiller(l2[18:29])
	switch {
	case opt1 == "":
		r.OptionalData = opt2
	case opt2 == "":
		r.OptionalData = opt1
	default:
		r.OptionalData = opt1 + " " + opt2
	}
	composite := d.verify("composite", "composite", l1[5:30]+l2[0:7]+l2[8:15]+l2[18:29], l2[29], false)
	r.Checks.Composite = &composite
	d.name(l3)
}

// dataLine decodes the second line shared by TD3 and the visas: document
// number, nationality, birth date, sex and expiry date at the same places.
func (d *decoder) dataLine(l2 string) {
	num, cd := l2[0:9], l2[9]
	d.r.DocumentNumber = trimFiller(num)
	ok := d.verify("document_number", "document number", num, cd, false)
	d.r.Checks.DocumentNumber = &ok
	d.personalData(l2[10:13], l2[13:19], l2[19], l2[20], l2[21:27], l2[27])
}

// personalData decodes nationality, birth date, sex and expiry date with
// their check digits.
func (d *decoder) personalData(nat, birth string, birthCD, sex byte, expiry string, expiryCD byte) {
	r := d.r
	r.Nationality, r.NationalityISO = d.country(nat, "nationality")
	r.BirthDate = d.date(birth, birthDate)
	bOK := d.verify("birth_date", "birth date", birth, birthCD, true)
	r.Sex = d.sex(sex)
	r.ExpiryDate = d.date(expiry, expiryDate)
	eOK := d.verify("expiry_date", "expiry date", expiry, expiryCD, true)
	r.Checks.BirthDate, r.Checks.ExpiryDate = &bOK, &eOK
}

// documentNumber decodes the TD1/TD2 document number and returns the
// optional data that follows it. A number longer than nine characters has
// '<' in the check digit position; the rest of the number and its check
// digit then open the optional data, ended by a filler.
func (d *decoder) documentNumber(num string, cd byte, opt string) (optional string) {
	r := d.r
	r.DocumentNumber = trimFiller(num)
	long := cd == '<' && !strings.Contains(num, "<")
	if !long {
		ok := d.verify("document_number", "document number", num, cd, false)
		r.Checks.DocumentNumber = &ok
		return trimFiller(opt)
	}
	cont, rest, _ := strings.Cut(opt, "<")
	if len(cont) < 2 {
		d.errorf("document number check digit is missing: '<' in its place but no continuation in the optional data")
		ok := false
		r.Checks.DocumentNumber = &ok
		return trimFiller(opt)
	}
	full, fullCD := num+cont[:len(cont)-1], cont[len(cont)-1]
	r.DocumentNumber = full
	ok := d.verify("document_number", "document number", full, fullCD, false)
	r.Checks.DocumentNumber = &ok
	return strings.Trim(rest, "<")
}
