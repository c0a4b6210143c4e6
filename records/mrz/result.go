// Package mrz parses the machine-readable zone of travel documents as laid
// down in ICAO Doc 9303 (TD1, TD2, TD3, MRV-A and MRV-B), tolerating the noise
// real document readers add. It performs no I/O and never panics.
package mrz

// Format names an MRZ layout.
type Format string

// The MRZ layouts of ICAO 9303.
const (
	TD1  Format = "TD1"  // ID card: 3 lines of 30
	TD2  Format = "TD2"  // ID card: 2 lines of 36
	TD3  Format = "TD3"  // passport: 2 lines of 44
	MRVA Format = "MRVA" // visa A: 2 lines of 44
	MRVB Format = "MRVB" // visa B: 2 lines of 36
)

// Checks reports each check digit the format carries. A nil field means the
// format has no such check digit, so it is left out of the JSON.
type Checks struct {
	DocumentNumber *bool `json:"document_number,omitempty"`
	BirthDate      *bool `json:"birth_date,omitempty"`
	ExpiryDate     *bool `json:"expiry_date,omitempty"`
	PersonalNumber *bool `json:"personal_number,omitempty"` // TD3 only
	Composite      *bool `json:"composite,omitempty"`       // not on visas
}

// Result is the parse of one document's MRZ. Its JSON form is the contract of
// `booth mrz` (docs/design.md §4.6): keys and value formats must not change.
//
// OptionalData has trailing fillers removed: it is the personal number on a
// TD3 and, on a TD1, both optional elements (lines 1 and 2) joined by a
// space. The continuation of a long document number is not part of it.
type Result struct {
	Format          Format   `json:"format"`
	Valid           bool     `json:"valid"`
	DocumentCode    string   `json:"document_code"`
	IssuingState    string   `json:"issuing_state"`
	IssuingStateISO string   `json:"issuing_state_iso"`
	DocumentNumber  string   `json:"document_number"`
	Nationality     string   `json:"nationality"`
	NationalityISO  string   `json:"nationality_iso"`
	BirthDate       string   `json:"birth_date"` // ISO 8601 date, "" when not a valid date
	Sex             string   `json:"sex"`        // F, M or X
	ExpiryDate      string   `json:"expiry_date"`
	Surname         string   `json:"surname"`
	GivenNames      string   `json:"given_names"`
	OptionalData    string   `json:"optional_data"`
	Checks          Checks   `json:"checks"`
	Warnings        []string `json:"warnings"`
	Errors          []string `json:"errors"`
}

// Warning codes that Result.Warnings may carry.
const (
	WarnExpired       = "expired"
	WarnNameTruncated = "name_truncated"
)
