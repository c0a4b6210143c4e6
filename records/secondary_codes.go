package records

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// FindingCategory classifies a secondary finding.
type FindingCategory string

// Finding categories a secondary officer records.
const (
	FindingVehicleSearch FindingCategory = "vehicle_search"
	FindingPersonSearch  FindingCategory = "person_search"
	FindingBaggageSearch FindingCategory = "baggage_search"
	FindingSeizure       FindingCategory = "seizure" // names Item and Quantity
	FindingInterview     FindingCategory = "interview"
	FindingDocumentExam  FindingCategory = "document_exam"
)

// FindingCategories lists the categories in the order a dialog offers them.
func FindingCategories() []FindingCategory {
	return []FindingCategory{FindingVehicleSearch, FindingPersonSearch, FindingBaggageSearch,
		FindingSeizure, FindingInterview, FindingDocumentExam}
}

// Label is the category as an officer reads it; a schema-1 category outside
// the list is shown as written.
func (c FindingCategory) Label() string {
	switch c {
	case FindingVehicleSearch:
		return "Vehicle search"
	case FindingPersonSearch:
		return "Person search"
	case FindingBaggageSearch:
		return "Baggage search"
	case FindingSeizure:
		return "Seizure"
	case FindingInterview:
		return "Interview"
	case FindingDocumentExam:
		return "Document examination"
	}
	return string(c)
}

// ErrInvalidPayload is returned by the Validate methods: what an officer
// entered cannot be recorded as it is.
var ErrInvalidPayload = errors.New("invalid entry")

// Validate checks a finding before it is recorded: a known category, some
// text, and for a seizure the item and its quantity.
func (f SecondaryFinding) Validate() error {
	if !slices.Contains(FindingCategories(), f.Category) {
		return fmt.Errorf("%w: unknown finding category %q", ErrInvalidPayload, f.Category)
	}
	if f.Category == FindingSeizure {
		if strings.TrimSpace(f.Item) == "" {
			return fmt.Errorf("%w: a seizure names the item seized", ErrInvalidPayload)
		}
		if strings.TrimSpace(f.Quantity) == "" {
			return fmt.Errorf("%w: a seizure names the quantity seized", ErrInvalidPayload)
		}
	} else if strings.TrimSpace(f.Text) == "" {
		return fmt.Errorf("%w: describe the finding", ErrInvalidPayload)
	}
	return nil
}

// Isotope is a radionuclide LSS identified.
type Isotope string

// Isotopes LSS names most often; IsotopeUnknown when it could not identify one.
const (
	IsotopeCs137   Isotope = "Cs-137"
	IsotopeCo60    Isotope = "Co-60"
	IsotopeI131    Isotope = "I-131"
	IsotopeTc99m   Isotope = "Tc-99m"
	IsotopeTl201   Isotope = "Tl-201"
	IsotopeK40     Isotope = "K-40"
	IsotopeRa226   Isotope = "Ra-226"
	IsotopeTh232   Isotope = "Th-232"
	IsotopeU235    Isotope = "U-235"
	IsotopePu239   Isotope = "Pu-239"
	IsotopeUnknown Isotope = "unknown"
)

// Isotopes lists the isotopes in the order a dialog offers them.
func Isotopes() []Isotope {
	return []Isotope{IsotopeCs137, IsotopeCo60, IsotopeI131, IsotopeTc99m, IsotopeTl201, IsotopeK40,
		IsotopeRa226, IsotopeTh232, IsotopeU235, IsotopePu239, IsotopeUnknown}
}

// AdjudicationCode is the outcome of an RPM alarm's adjudication, 1–11,
// numbered and grouped as the open OSCAR alarm station does. 0 is "none" (a
// schema-1 free-text answer).
type AdjudicationCode int

// Adjudication codes.
const (
	CodeRealContraband      AdjudicationCode = 1  // real alarm: contraband found
	CodeRealOther           AdjudicationCode = 2  // real alarm: other
	CodeInnocentMedical     AdjudicationCode = 3  // innocent alarm: medical isotope
	CodeInnocentNORM        AdjudicationCode = 4  // innocent alarm: naturally occurring radioactive material
	CodeInnocentDeclared    AdjudicationCode = 5  // innocent alarm: declared shipment of radioactive material
	CodeFalseInspectionNeg  AdjudicationCode = 6  // false alarm: physical inspection negative
	CodeFalseBackgroundOnly AdjudicationCode = 7  // false alarm: RIID/ASP shows background only
	CodeFalseOther          AdjudicationCode = 8  // false alarm: other
	CodeTestMaintenance     AdjudicationCode = 9  // authorised test, maintenance or training
	CodeTamper              AdjudicationCode = 10 // unauthorised activity (tamper)
	CodeOther               AdjudicationCode = 11 // other
)

// AdjudicationGroup is one of the five groups the codes fall in.
type AdjudicationGroup struct {
	Name  string
	Codes []AdjudicationCode
}

// AdjudicationGroups returns the five groups in display order: real alarm
// (1, 2), innocent alarm (3–5), false alarm (6–8), test or maintenance (9),
// and other (10 tamper, 11 other).
func AdjudicationGroups() []AdjudicationGroup {
	return []AdjudicationGroup{
		{"Real alarm", []AdjudicationCode{CodeRealContraband, CodeRealOther}},
		{"Innocent alarm", []AdjudicationCode{CodeInnocentMedical, CodeInnocentNORM, CodeInnocentDeclared}},
		{"False alarm", []AdjudicationCode{CodeFalseInspectionNeg, CodeFalseBackgroundOnly, CodeFalseOther}},
		{"Test or maintenance", []AdjudicationCode{CodeTestMaintenance}},
		{"Other", []AdjudicationCode{CodeTamper, CodeOther}},
	}
}

// Valid reports whether c is one of the codes 1–11.
func (c AdjudicationCode) Valid() bool { return c >= 1 && c <= 11 }

// Group is the name of the code's group, "" for an invalid code.
func (c AdjudicationCode) Group() string {
	for _, g := range AdjudicationGroups() {
		if slices.Contains(g.Codes, c) {
			return g.Name
		}
	}
	return ""
}

// Label is the code's meaning, e.g. "medical isotope".
func (c AdjudicationCode) Label() string {
	switch c {
	case CodeRealContraband:
		return "contraband found"
	case CodeRealOther, CodeFalseOther, CodeOther:
		return "other"
	case CodeInnocentMedical:
		return "medical isotope"
	case CodeInnocentNORM:
		return "NORM"
	case CodeInnocentDeclared:
		return "declared shipment of radioactive material"
	case CodeFalseInspectionNeg:
		return "physical inspection negative"
	case CodeFalseBackgroundOnly:
		return "RIID/ASP shows background only"
	case CodeTestMaintenance:
		return "authorised test, maintenance or training"
	case CodeTamper:
		return "unauthorised activity (tamper)"
	}
	return "code " + strconv.Itoa(int(c))
}

// String is "3 innocent alarm: medical isotope".
func (c AdjudicationCode) String() string {
	if !c.Valid() {
		return "no code"
	}
	return strconv.Itoa(int(c)) + " " + strings.ToLower(c.Group()) + ": " + c.Label()
}

// Validate checks an LSS answer before it is recorded: one valid code, at
// least one isotope (IsotopeUnknown when none was identified), each from the
// list and named once.
func (a LSSAnswered) Validate() error {
	if !a.Code.Valid() {
		return fmt.Errorf("%w: choose one adjudication code 1–11", ErrInvalidPayload)
	}
	if len(a.Isotopes) == 0 {
		return fmt.Errorf("%w: name the isotopes LSS identified (or unknown)", ErrInvalidPayload)
	}
	seen := map[Isotope]bool{}
	for _, iso := range a.Isotopes {
		if !slices.Contains(Isotopes(), iso) {
			return fmt.Errorf("%w: unknown isotope %q", ErrInvalidPayload, iso)
		}
		if seen[iso] {
			return fmt.Errorf("%w: isotope %s named twice", ErrInvalidPayload, iso)
		}
		seen[iso] = true
	}
	return nil
}

// Adjudicates reports whether the answer settles its alarm: it carries a
// valid code (a schema-1 free-text answer does not).
func (a LSSAnswered) Adjudicates() bool { return a.Code.Valid() }

// SecondaryOutcomes lists the final determinations a secondary officer
// chooses from, in display order.
func SecondaryOutcomes() []Outcome {
	return []Outcome{OutcomeAdmitted, OutcomeRefused, OutcomeWithdrawn, OutcomeTurnedOver, OutcomeReleased}
}

// Label is the outcome as an officer reads it.
func (o Outcome) Label() string {
	switch o {
	case OutcomeAdmitted:
		return "Admitted"
	case OutcomeRefused:
		return "Refused (inadmissible)"
	case OutcomeWithdrawn:
		return "Application withdrawn"
	case OutcomeReleased:
		return "Released"
	case OutcomeArrested:
		return "Arrested"
	case OutcomeTurnedOver:
		return "Turned over to another agency"
	}
	return string(o)
}

// Agencies a traveller is commonly turned over to; the determination dialog
// offers them, and any other name may be typed.
func Agencies() []string {
	return []string{"HSI", "ICE ERO", "USBP", "DEA", "FBI", "ATF", "FDA", "USDA APHIS", "State police", "Local police"}
}

// Validate checks a determination before it is recorded: a known outcome,
// and the agency when the traveller is turned over.
func (d Determination) Validate() error {
	switch d.Outcome {
	case OutcomeAdmitted, OutcomeRefused, OutcomeWithdrawn, OutcomeReleased, OutcomeArrested:
		if d.Agency != "" {
			return fmt.Errorf("%w: an agency goes only with %q", ErrInvalidPayload, OutcomeTurnedOver)
		}
	case OutcomeTurnedOver:
		if strings.TrimSpace(d.Agency) == "" {
			return fmt.Errorf("%w: name the agency the traveller is turned over to", ErrInvalidPayload)
		}
	default:
		return fmt.Errorf("%w: unknown outcome %q", ErrInvalidPayload, d.Outcome)
	}
	return nil
}
