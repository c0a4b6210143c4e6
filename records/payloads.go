package records

import (
	"errors"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// Kind names an event kind. Kinds are part of the stored and replicated
// record: never rename one.
type Kind string

// Event kinds of the master crossing record (docs/design.md §2).
const (
	KindCrossingOpened    Kind = "crossing.opened"
	KindRFIDRead          Kind = "rfid.read"
	KindDocumentRead      Kind = "document.read"
	KindDocumentKeyed     Kind = "document.keyed"
	KindPlateRead         Kind = "plate.read"
	KindPlateConfirmed    Kind = "plate.confirmed"
	KindRPMOccupancy      Kind = "rpm.occupancy"
	KindFaceVerified      Kind = "face.verified"
	KindReferenceChecked  Kind = "reference.checked"
	KindAlertAcknowledged Kind = "alert.acknowledged"
	KindNote              Kind = "note"
	KindReferred          Kind = "referral"
	KindSecondaryTaken    Kind = "secondary.taken"
	KindSecondaryFinding  Kind = "secondary.finding"
	KindLSSRequested      Kind = "lss.requested"
	KindLSSAnswered       Kind = "lss.answered"
	KindBaggageXray       Kind = "baggage.xray"
	KindDetermination     Kind = "determination"
	KindCrossingClosed    Kind = "crossing.closed"
	KindBiometricPurged   Kind = "biometric.purged"
	// KindBiometricForwarded: a non-citizen's capture reached the biometric
	// system; the record keeps its reference there.
	KindBiometricForwarded Kind = "biometric.forwarded"
)

// Errors returned by Event.Decode.
var (
	ErrUnknownKind = errors.New("unknown event kind")
	ErrNewerSchema = errors.New("event schema newer than this build")
)

// Payload is the typed body of an event.
type Payload interface{ Kind() Kind }

var payloadTypes = map[Kind]func() Payload{
	KindCrossingOpened:     func() Payload { return &CrossingOpened{} },
	KindRFIDRead:           func() Payload { return &RFIDRead{} },
	KindDocumentRead:       func() Payload { return &DocumentRead{} },
	KindDocumentKeyed:      func() Payload { return &DocumentKeyed{} },
	KindPlateRead:          func() Payload { return &PlateRead{} },
	KindPlateConfirmed:     func() Payload { return &PlateConfirmed{} },
	KindRPMOccupancy:       func() Payload { return &RPMOccupancy{} },
	KindFaceVerified:       func() Payload { return &FaceVerified{} },
	KindReferenceChecked:   func() Payload { return &ReferenceChecked{} },
	KindAlertAcknowledged:  func() Payload { return &AlertAcknowledged{} },
	KindNote:               func() Payload { return &Note{} },
	KindReferred:           func() Payload { return &Referred{} },
	KindSecondaryTaken:     func() Payload { return &SecondaryTaken{} },
	KindSecondaryFinding:   func() Payload { return &SecondaryFinding{} },
	KindLSSRequested:       func() Payload { return &LSSRequested{} },
	KindLSSAnswered:        func() Payload { return &LSSAnswered{} },
	KindBaggageXray:        func() Payload { return &BaggageXray{} },
	KindDetermination:      func() Payload { return &Determination{} },
	KindCrossingClosed:     func() Payload { return &CrossingClosed{} },
	KindBiometricPurged:    func() Payload { return &BiometricPurged{} },
	KindBiometricForwarded: func() Payload { return &BiometricForwarded{} },
}

// Mode is the kind of lane.
type Mode string

// Lane modes.
const (
	ModeVehicle    Mode = "vehicle"
	ModePedestrian Mode = "pedestrian"
)

// DocumentRef identifies a travel document. Country is the ICAO/ISO 3166
// alpha-3 code of the issuing state (D is normalised to DEU).
type DocumentRef struct {
	Type    string `json:"type"` // MRZ document code (P, I, V, AC…) or PC (passport card), EDL, SENTRI…
	Country string `json:"country"`
	Number  string `json:"number"`
}

// Key is the identity of a document across events: "COUNTRY/NUMBER".
func (d DocumentRef) Key() string { return d.Country + "/" + d.Number }

// IsZero reports whether d names no document.
func (d DocumentRef) IsZero() bool { return d.Country == "" && d.Number == "" }

// CrossingOpened starts a crossing. Trigger says what opened it.
type CrossingOpened struct {
	Port    string `json:"port"`
	Lane    string `json:"lane"`
	Mode    Mode   `json:"mode"`
	Trigger string `json:"trigger"` // rfid | plate | rpm | document | manual
}

// Enrollment is what the booth resolved an RFID tag to in the reference data
// at read time. It is copied into the event so the record stands on its own
// even after the reference data changes.
type Enrollment struct {
	Program    string      `json:"program"` // SENTRI, NEXUS, FAST, PASSPORT_CARD, EDL
	TravelerID string      `json:"traveler_id"`
	Surname    string      `json:"surname"`
	GivenNames string      `json:"given_names"`
	BirthDate  string      `json:"birth_date"`
	Document   DocumentRef `json:"document"`
	// VehiclePlates lists the vehicles a SENTRI enrollment is valid in
	// ("REGION/PLATE").
	VehiclePlates []string `json:"vehicle_plates,omitempty"`
}

// RFIDRead is one de-duplicated tag read. Enrollment is nil when the EPC is not
// in the reference data.
type RFIDRead struct {
	EPC        string      `json:"epc"`
	Antenna    int         `json:"antenna"`
	RSSI       int         `json:"rssi"`
	Enrollment *Enrollment `json:"enrollment,omitempty"`
}

// DocumentRead is a document read by the MRZ reader: the raw lines as the
// reader sent them and their parse.
type DocumentRead struct {
	Raw []string   `json:"raw"`
	MRZ mrz.Result `json:"mrz"`
}

// DocumentKeyed is a document keyed in by the officer because the reader
// failed. Either MRZ (keyed MRZ lines, parsed) or Fields is set.
type DocumentKeyed struct {
	Raw    []string     `json:"raw,omitempty"`
	MRZ    *mrz.Result  `json:"mrz,omitempty"`
	Fields *KeyedFields `json:"fields,omitempty"`
	Reason string       `json:"reason,omitempty"`
}

// KeyedFields are the data page fields an officer types in by hand.
type KeyedFields struct {
	DocumentCode string `json:"document_code"`
	IssuingState string `json:"issuing_state"`
	Number       string `json:"number"`
	Surname      string `json:"surname"`
	GivenNames   string `json:"given_names"`
	Nationality  string `json:"nationality"`
	BirthDate    string `json:"birth_date"` // YYYY-MM-DD
	Sex          string `json:"sex"`
	ExpiryDate   string `json:"expiry_date"` // YYYY-MM-DD
}

// PlateCandidate is one reading the plate reader considered.
type PlateCandidate struct {
	Plate      string  `json:"plate"`
	Confidence float64 `json:"confidence"`
}

// PlateRead is the plate reader's best reading of the vehicle.
type PlateRead struct {
	Plate      string           `json:"plate"`
	Region     string           `json:"region"`
	Confidence float64          `json:"confidence"`
	Candidates []PlateCandidate `json:"candidates,omitempty"`
	CameraID   string           `json:"camera_id,omitempty"`
}

// PlateConfirmed is the officer confirming or correcting the plate.
type PlateConfirmed struct {
	Plate     string `json:"plate"`
	Region    string `json:"region"`
	Corrected bool   `json:"corrected"`
}

// RPMOccupancy is the radiation portal monitor's result for one occupancy.
type RPMOccupancy struct {
	Occupancy       int       `json:"occupancy"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	GammaAlarm      bool      `json:"gamma_alarm"`
	NeutronAlarm    bool      `json:"neutron_alarm"`
	MaxGamma        int       `json:"max_gamma"`
	MaxNeutron      int       `json:"max_neutron"`
	BackgroundGamma int       `json:"background_gamma"`
	Speed           float64   `json:"speed"`
	// Incomplete: the monitor never closed the occupancy; Occupancy is 0.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Alarm reports whether the occupancy alarmed on gamma or neutron.
func (o RPMOccupancy) Alarm() bool { return o.GammaAlarm || o.NeutronAlarm }

// FaceResult is the local face matcher's verdict.
type FaceResult string

// Face matcher verdicts. Unavailable is the booth's own: the matcher timed out,
// failed or answered nonsense.
const (
	FaceMatch       FaceResult = "match"
	FaceNoMatch     FaceResult = "no_match"
	FaceNoFace      FaceResult = "no_face"
	FaceNotEnrolled FaceResult = "not_enrolled"
	FaceUnavailable FaceResult = "unavailable"
)

// FaceVerified records a face verification against a document. The image
// itself never enters the event log: CaptureRef points into the biometric
// store, and is empty when the capture may not be referenced from the record
// (a US citizen's, or citizenship not yet established).
type FaceVerified struct {
	Document   DocumentRef `json:"document"`
	Result     FaceResult  `json:"result"`
	Score      float64     `json:"score"`
	Threshold  float64     `json:"threshold"`
	CaptureRef string      `json:"capture_ref,omitempty"`
	CapturedAt time.Time   `json:"captured_at"`
	Detail     string      `json:"detail,omitempty"` // why it is unavailable
}

// HitType classifies a reference check hit.
type HitType string

// Reference check hit types.
const (
	HitLookout    HitType = "lookout"
	HitLostStolen HitType = "lost_stolen"
	HitStatus     HitType = "status" // visa or immigration status problem
)

// Hit is one finding of a reference check.
type Hit struct {
	ID          string  `json:"id"` // the reference record's id
	Type        HitType `json:"type"`
	Severity    string  `json:"severity"` // high | medium | low
	Instruction string  `json:"instruction,omitempty"`
	Detail      string  `json:"detail,omitempty"`
}

// ReferenceChecked is the result of checking one subject (a traveller's
// document, or the vehicle's plate) against the port's reference data.
type ReferenceChecked struct {
	// Subject is a DocumentRef.Key() for a traveller or "plate:REGION/PLATE".
	Subject     string `json:"subject"`
	DataVersion int64  `json:"data_version"`
	TravelerID  string `json:"traveler_id,omitempty"`
	Citizenship string `json:"citizenship,omitempty"` // ISO alpha-3, e.g. USA
	// Status is the immigration status or visa on file: USC, LPR, B1/B2…
	Status string `json:"status,omitempty"`
	Hits   []Hit  `json:"hits,omitempty"`
}

// AlertAcknowledged records that the officer saw and acknowledged an alert.
type AlertAcknowledged struct {
	AlertID string `json:"alert_id"`
	Comment string `json:"comment,omitempty"`
}

// Note is a free-text officer note.
type Note struct {
	Text string `json:"text"`
}

// Referral reason codes.
const (
	ReasonRPMAlarm    = "RPM"   // radiation alarm (forced)
	ReasonLookout     = "LOOK"  // lookout hit
	ReasonDocument    = "DOC"   // document problem
	ReasonIdentity    = "ID"    // identity / face mismatch
	ReasonAgriculture = "AG"    // agriculture
	ReasonCustoms     = "CUST"  // customs / contraband
	ReasonImmigration = "IMM"   // admissibility / status
	ReasonRandom      = "RAND"  // random compliance exam
	ReasonOther       = "OTHER" // see note
)

// Referred sends the crossing to secondary inspection.
type Referred struct {
	Reasons []string `json:"reasons"`
	Note    string   `json:"note,omitempty"`
}

// SecondaryTaken records that a secondary officer took the referral (assigned
// it to themselves). The taker is the envelope's officer at its origin
// workstation; a later take by anyone replaces it, every take stays in the
// record.
type SecondaryTaken struct {
	Note string `json:"note,omitempty"`
}

// SecondaryFinding is what the secondary officer found. Category is one of
// the Finding* constants; events of schema 1 carried free categories
// ("customs", "none"), which still fold and are shown as written. A seizure
// names the item and its quantity (free text with its unit: "2.3 kg",
// "12,000 USD", "3").
type SecondaryFinding struct {
	Category FindingCategory `json:"category"`
	Text     string          `json:"text"`
	Item     string          `json:"item,omitempty"`
	Quantity string          `json:"quantity,omitempty"`
}

// LSSRequested asks the Laboratories and Scientific Services reachback to
// resolve an RPM alarm.
type LSSRequested struct {
	Occupancy int    `json:"occupancy"`
	Note      string `json:"note,omitempty"`
}

// LSSAnswered is reachback's answer to an RPM alarm: the isotopes identified
// and one adjudication code (1–11). Until the national tier exists the
// secondary officer records the answer LSS gave by phone with this event.
// Schema 1 answers carried only free text in Answer (Code 0); they still fold
// but do not adjudicate the alarm.
type LSSAnswered struct {
	Occupancy int              `json:"occupancy"`
	Answer    string           `json:"answer,omitempty"` // schema 1: free text (NORM, medical isotope…)
	Isotopes  []Isotope        `json:"isotopes,omitempty"`
	Code      AdjudicationCode `json:"code,omitempty"`
	Note      string           `json:"note,omitempty"`
	// Scientist and MessageID identify the LSS scientist and the hub's
	// answer message once answers arrive from the national tier.
	Scientist string `json:"scientist,omitempty"`
	MessageID string `json:"message_id,omitempty"`
}

// BaggageXray records the pedestrian baggage x-ray outcome.
type BaggageXray struct {
	Outcome string `json:"outcome"` // clear | inspect | none
	Note    string `json:"note,omitempty"`
}

// Outcome is the final determination of a crossing.
type Outcome string

// Determination outcomes.
const (
	OutcomeAdmitted  Outcome = "admitted"
	OutcomeRefused   Outcome = "refused"
	OutcomeWithdrawn Outcome = "withdrawn" // application for admission withdrawn
	OutcomeReleased  Outcome = "released"  // released from secondary
	OutcomeArrested  Outcome = "arrested"
	// OutcomeTurnedOver: the traveller was turned over to another agency,
	// named in Determination.Agency.
	OutcomeTurnedOver Outcome = "turned_over"
)

// Determination is the officer's decision on the crossing. A correction
// names the determination it corrects in Supersedes (that event's id); two
// determinations neither of which is superseded are a conflict that the fold
// reports (see Crossing.Conflict).
type Determination struct {
	Outcome    Outcome `json:"outcome"`
	Note       string  `json:"note,omitempty"`
	Agency     string  `json:"agency,omitempty"`     // turned_over: the agency
	Supersedes string  `json:"supersedes,omitempty"` // id of the determination event this corrects
}

// CrossingClosed ends the crossing.
type CrossingClosed struct{}

// BiometricPurged records that a face capture was deleted by retention. The
// image is gone; only this fact remains.
type BiometricPurged struct {
	CaptureRef string    `json:"capture_ref"`
	CapturedAt time.Time `json:"captured_at"`
	Reason     string    `json:"reason"`
}

func (CrossingOpened) Kind() Kind    { return KindCrossingOpened }
func (RFIDRead) Kind() Kind          { return KindRFIDRead }
func (DocumentRead) Kind() Kind      { return KindDocumentRead }
func (DocumentKeyed) Kind() Kind     { return KindDocumentKeyed }
func (PlateRead) Kind() Kind         { return KindPlateRead }
func (PlateConfirmed) Kind() Kind    { return KindPlateConfirmed }
func (RPMOccupancy) Kind() Kind      { return KindRPMOccupancy }
func (FaceVerified) Kind() Kind      { return KindFaceVerified }
func (ReferenceChecked) Kind() Kind  { return KindReferenceChecked }
func (AlertAcknowledged) Kind() Kind { return KindAlertAcknowledged }
func (Note) Kind() Kind              { return KindNote }
func (Referred) Kind() Kind          { return KindReferred }
func (SecondaryTaken) Kind() Kind    { return KindSecondaryTaken }
func (SecondaryFinding) Kind() Kind  { return KindSecondaryFinding }
func (LSSRequested) Kind() Kind      { return KindLSSRequested }
func (LSSAnswered) Kind() Kind       { return KindLSSAnswered }
func (BaggageXray) Kind() Kind       { return KindBaggageXray }
func (Determination) Kind() Kind     { return KindDetermination }
func (CrossingClosed) Kind() Kind    { return KindCrossingClosed }
func (BiometricPurged) Kind() Kind   { return KindBiometricPurged }

// BiometricForwarded records that a non-citizen's face capture was taken by
// the biometric system: BiometricRef is its reference there (docs/design.md
// §6). The image never enters the event log.
type BiometricForwarded struct {
	CaptureRef   string    `json:"capture_ref"`
	BiometricRef string    `json:"biometric_ref"`
	CapturedAt   time.Time `json:"captured_at"`
	ForwardedAt  time.Time `json:"forwarded_at"`
}

func (BiometricForwarded) Kind() Kind { return KindBiometricForwarded }
