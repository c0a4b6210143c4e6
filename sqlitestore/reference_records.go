package sqlitestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/portofentry/booth/records"
)

// Reference dataset kinds (docs/design.md §2.4). They name the JSONL files the port
// server publishes and `portserver import KIND FILE` reads.
const (
	KindTravelers  = "travelers"
	KindRFID       = "rfid"
	KindLookouts   = "lookouts"
	KindLostStolen = "lost-stolen"
)

// ReferenceKinds lists every reference dataset kind in a stable order.
var ReferenceKinds = []string{KindTravelers, KindRFID, KindLookouts, KindLostStolen}

// The reference line types (records.TravelerRecord, RFIDRecord,
// LookoutRecord and LostStolenRecord) are the domain's; this file parses
// and validates them.

// FieldError says which field of a reference line is wrong and why.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %s: %s", e.Field, e.Msg) }

func fieldErr(field, format string, a ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// ParseTravelerLine decodes and validates one travelers line, returning the
// record with its document, names and codes normalised.
func ParseTravelerLine(line []byte) (records.TravelerRecord, error) {
	var r records.TravelerRecord
	if err := decodeReferenceLine(line, &r); err != nil {
		return r, err
	}
	var err error
	if r.ID, err = requireID("id", r.ID); err != nil {
		return r, err
	}
	if r.Document, err = normalizeDocument("document", r.Document); err != nil {
		return r, err
	}
	if r.Surname = cleanName(r.Surname); r.Surname == "" {
		return r, fieldErr("surname", "required")
	}
	r.GivenNames = cleanName(r.GivenNames)
	if err := checkDate("birth_date", r.BirthDate, true); err != nil {
		return r, err
	}
	r.Sex = strings.ToUpper(strings.TrimSpace(r.Sex))
	switch r.Sex {
	case "F", "M", "X", "":
	default:
		return r, fieldErr("sex", "must be F, M, X or empty, got %q", r.Sex)
	}
	if r.Nationality, err = normalizeCountry("nationality", r.Nationality, false); err != nil {
		return r, err
	}
	if r.Citizenship, err = normalizeCountry("citizenship", r.Citizenship, false); err != nil {
		return r, err
	}
	r.Status = strings.ToUpper(strings.TrimSpace(r.Status))
	if r.Status == "" {
		return r, fieldErr("status", "required (USC, LPR, B1/B2, BCC, TN…)")
	}
	if len(r.Status) > 32 || !isPrintableASCII(r.Status) {
		return r, fieldErr("status", "must be a short status code, got %q", r.Status)
	}
	if err := checkDate("expiry_date", r.ExpiryDate, false); err != nil {
		return r, err
	}
	return r, nil
}

// RFID programs a reader can meet.
var rfidPrograms = map[string]bool{"SENTRI": true, "NEXUS": true, "FAST": true, "PASSPORT_CARD": true, "EDL": true}

// ParseRFIDLine decodes and validates one rfid line. The EPC is upper-cased
// and stripped of spaces; plates are normalised to "REGION/PLATE".
func ParseRFIDLine(line []byte) (records.RFIDRecord, error) {
	var r records.RFIDRecord
	if err := decodeReferenceLine(line, &r); err != nil {
		return r, err
	}
	epc, err := checkEPC(r.EPC)
	if err != nil {
		return r, fieldErr("epc", "%v", err)
	}
	r.EPC = epc
	r.Program = strings.ToUpper(strings.TrimSpace(r.Program))
	if !rfidPrograms[r.Program] {
		return r, fieldErr("program", "must be SENTRI, NEXUS, FAST, PASSPORT_CARD or EDL, got %q", r.Program)
	}
	if r.TravelerID, err = requireID("traveler_id", r.TravelerID); err != nil {
		return r, err
	}
	if r.Document, err = normalizeDocument("document", r.Document); err != nil {
		return r, err
	}
	if len(r.VehiclePlates) > 16 {
		return r, fieldErr("vehicle_plates", "at most 16 plates, got %d", len(r.VehiclePlates))
	}
	for i, p := range r.VehiclePlates {
		key, err := NormalizePlateKey(p)
		if err != nil {
			return r, fieldErr(fmt.Sprintf("vehicle_plates[%d]", i), "%v", err)
		}
		if strings.HasPrefix(key, "/") {
			return r, fieldErr(fmt.Sprintf("vehicle_plates[%d]", i), "region required, got %q", p)
		}
		r.VehiclePlates[i] = key
	}
	return r, nil
}

// ParseLookoutLine decodes and validates one lookouts line. The fields the
// match type needs are required; the others are cleared so a stray value can
// never make a lookout match on something it was not issued for.
func ParseLookoutLine(line []byte) (records.LookoutRecord, error) {
	var r records.LookoutRecord
	if err := decodeReferenceLine(line, &r); err != nil {
		return r, err
	}
	var err error
	if r.ID, err = requireID("id", r.ID); err != nil {
		return r, err
	}
	switch r.By {
	case records.LookoutByDocument:
		if r.Document == nil {
			return r, fieldErr("document", "required when by is %q", r.By)
		}
		d, err := normalizeDocument("document", *r.Document)
		if err != nil {
			return r, err
		}
		r.Document = &d
		r.Surname, r.GivenNames, r.BirthDate, r.Plate = "", "", "", ""
	case records.LookoutByNameDOB:
		if r.Surname = cleanName(r.Surname); r.Surname == "" {
			return r, fieldErr("surname", "required when by is %q", r.By)
		}
		r.GivenNames = cleanName(r.GivenNames)
		if err := checkDate("birth_date", r.BirthDate, true); err != nil {
			return r, err
		}
		r.Document, r.Plate = nil, ""
	case records.LookoutByPlate:
		key, err := NormalizePlateKey(r.Plate)
		if err != nil {
			return r, fieldErr("plate", "%v", err)
		}
		r.Plate = key
		r.Document, r.Surname, r.GivenNames, r.BirthDate = nil, "", "", ""
	default:
		return r, fieldErr("by", "must be document, name_dob or plate, got %q", r.By)
	}
	switch r.Severity {
	case "high", "medium", "low":
	default:
		return r, fieldErr("severity", "must be high, medium or low, got %q", r.Severity)
	}
	if strings.TrimSpace(r.Instruction) == "" {
		return r, fieldErr("instruction", "required: the officer must be told what to do")
	}
	if len(r.Instruction) > 1000 || len(r.Detail) > 4000 {
		return r, fieldErr("detail", "instruction or detail too long")
	}
	return r, nil
}

// ParseLostStolenLine decodes and validates one lost-stolen line.
func ParseLostStolenLine(line []byte) (records.LostStolenRecord, error) {
	var r records.LostStolenRecord
	if err := decodeReferenceLine(line, &r); err != nil {
		return r, err
	}
	var err error
	if r.ID, err = requireID("id", r.ID); err != nil {
		return r, err
	}
	if r.Document, err = normalizeDocument("document", r.Document); err != nil {
		return r, err
	}
	if err := checkDate("reported_at", r.ReportedAt, true); err != nil {
		return r, err
	}
	switch r.Reason {
	case "stolen", "lost", "revoked":
	default:
		return r, fieldErr("reason", "must be stolen, lost or revoked, got %q", r.Reason)
	}
	return r, nil
}

// decodeReferenceLine decodes one JSON object. Unknown fields are accepted so
// an older booth can load data from a newer port server; a wrong type names
// the field.
func decodeReferenceLine(line []byte, v any) error {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return fieldErr("(line)", "not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fieldErr(te.Field, "must be a JSON %s, got %s", te.Type.Kind(), te.Value)
		}
		return fieldErr("(line)", "invalid JSON: %v", err)
	}
	if dec.More() {
		return fieldErr("(line)", "extra data after the JSON object")
	}
	return nil
}

func requireID(field, id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", fieldErr(field, "required")
	}
	if len(id) > 64 || !isPrintableASCII(id) {
		return "", fieldErr(field, "must be at most 64 printable ASCII characters, got %q", id)
	}
	return id, nil
}

// normalizeDocument validates a document and returns it normalised: type and
// number upper case without spaces, country as ISO alpha-3 (D -> DEU).
func normalizeDocument(field string, d records.DocumentRef) (records.DocumentRef, error) {
	d.Type = strings.ToUpper(strings.TrimSpace(d.Type))
	if d.Type == "" || len(d.Type) > 16 || !isUpperAlnumOrUnderscore(d.Type) {
		return d, fieldErr(field+".type", "must be a document code like P, PC, SENTRI, got %q", d.Type)
	}
	var err error
	if d.Country, err = normalizeCountry(field+".country", d.Country, true); err != nil {
		return d, err
	}
	d.Number = keyDocNumber(d.Number)
	if d.Number == "" || len(d.Number) > 24 || !isUpperAlnumOrUnderscore(d.Number) || strings.Contains(d.Number, "_") {
		return d, fieldErr(field+".number", "must be 1-24 letters and digits, got %q", d.Number)
	}
	return d, nil
}

// NormalizeDocumentRef normalises a document reference the way reference
// data stores it, so look-ups from a read MRZ or keyed document match.
func NormalizeDocumentRef(d records.DocumentRef) records.DocumentRef {
	return records.DocumentRef{
		Type:    strings.ToUpper(strings.TrimSpace(d.Type)),
		Country: keyCountry(d.Country),
		Number:  keyDocNumber(d.Number),
	}
}

func normalizeCountry(field, c string, required bool) (string, error) {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c == "D" {
		return "DEU", nil
	}
	if c == "" && !required {
		return "", nil
	}
	if len(c) != 3 || !isUpperAlpha(c) {
		return c, fieldErr(field, "must be an ISO 3166 alpha-3 code like USA or MEX, got %q", c)
	}
	return c, nil
}

func checkDate(field, s string, required bool) error {
	if s == "" && !required {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil || len(s) != 10 {
		return fieldErr(field, "must be a date YYYY-MM-DD, got %q", s)
	}
	return nil
}

// cleanName turns a name into the form the MRZ carries, keeping the spaces
// between names: upper case, accents folded as the look-up keys fold them
// (keyName), hyphens as spaces, apostrophes, dots and commas dropped,
// single spaces.
func cleanName(s string) string {
	s = foldLatin.Replace(strings.ToUpper(s))
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\'' || r == '.' || r == '’' || r == ',':
			continue
		case r == '-' || r == '<' || unicode.IsSpace(r):
			if b.Len() > 0 && !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		case !unicode.IsPrint(r):
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// checkEPC upper-cases an EPC and drops spaces, and checks it is 96 to 496
// bits of hex in whole 16-bit words.
func checkEPC(s string) (string, error) {
	epc := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(epc) < 24 || len(epc) > 124 || len(epc)%4 != 0 {
		return epc, fmt.Errorf("must be 96-496 bits of hex (24-124 digits, whole words), got %d characters", len(epc))
	}
	for _, r := range epc {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'F') {
			return epc, fmt.Errorf("must be hex, got %q", s)
		}
	}
	return epc, nil
}

// NormalizePlateKey validates and normalises a plate key "REGION/PLATE":
// REGION upper case like US-CA or MX-BC (may be empty when the reader saw no
// region: "/ABC1234"), PLATE upper-case letters and digits without spaces or
// dashes.
func NormalizePlateKey(key string) (string, error) {
	region, plate, ok := strings.Cut(strings.TrimSpace(key), "/")
	if !ok {
		return "", fmt.Errorf("must be REGION/PLATE like US-CA/7ABC123, got %q", key)
	}
	region = strings.ToUpper(strings.TrimSpace(region))
	if region != "" && !validRegion(region) {
		return "", fmt.Errorf("region must look like US-CA or MX-BC, got %q", region)
	}
	plate = keyPlate(plate)
	if plate == "" || len(plate) > 12 || !isUpperAlnum(plate) {
		return "", fmt.Errorf("plate must be 1-12 letters and digits, got %q", key)
	}
	return region + "/" + plate, nil
}

// validRegion accepts "CC-SS": a two-letter country and a 1-3 character
// subdivision.
func validRegion(r string) bool {
	c, s, ok := strings.Cut(r, "-")
	return ok && len(c) == 2 && isUpperAlpha(c) && len(s) >= 1 && len(s) <= 3 && isUpperAlnum(s)
}

func isUpperAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isUpperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isUpperAlnumOrUnderscore(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
