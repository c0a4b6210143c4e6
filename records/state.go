package records

import (
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// Status is where a crossing stands.
type Status string

// Crossing statuses, in the order a crossing normally passes through them.
const (
	StatusOpen       Status = "open"       // at primary
	StatusReferred   Status = "referred"   // waiting for or in secondary
	StatusDetermined Status = "determined" // a determination was made
	StatusClosed     Status = "closed"
)

// Crossing is the current state of one crossing: the fold of its events.
// It is derived data; the events are the record.
type Crossing struct {
	ID       string
	Port     string
	Lane     string
	Mode     Mode
	Origin   string // workstation that opened it
	OpenedAt time.Time
	OpenedBy string // officer badge, empty when a device opened it
	Trigger  string

	Vehicle   *Vehicle
	Travelers []*Traveler // in order of first appearance
	RPM       *RPMOccupancy
	Baggage   *BaggageXray
	Alerts    []*Alert // in order of first appearance

	Referral *Referral
	// Takes lists every secondary.taken in fold order; TakenBy is the
	// latest (nil when nobody took the referral).
	Takes    []Stamped[SecondaryTaken]
	TakenBy  *Stamped[SecondaryTaken]
	Findings []Stamped[SecondaryFinding]
	// LSS holds one exchange per RPM occupancy, in order of first mention.
	LSS   []LSSExchange
	Notes []Stamped[Note]
	// Forwards lists every biometric.forwarded in fold order: a
	// non-citizen's capture taken by the biometric system, with its
	// reference there.
	Forwards []Stamped[BiometricForwarded]
	// Determinations lists every determination in fold order; none is
	// ever dropped.
	Determinations []Stamped[Determination]
	// Determination is the final determination: the latest (in fold order)
	// that no other supersedes. When Conflict is not empty it is only one
	// of the conflicting determinations: show Conflict, never this alone.
	Determination *Stamped[Determination]
	// Conflict lists the current (not superseded) determinations when they
	// conflict (see Crossing.InConflict), in fold order; empty otherwise.
	Conflict []Stamped[Determination]

	Status   Status
	ClosedAt time.Time
	// LastAt is the time of the latest event folded.
	LastAt time.Time
	// Events is how many events were folded.
	Events int
	// Skipped lists the ids of events this build could not fold (unknown
	// kind or newer schema). They stay in the log; they are just not shown.
	Skipped []string
	// Integrity says whether the record has the shape every crossing must
	// have; see Integrity.
	Integrity Integrity
}

// Integrity is what the fold found wrong with the shape of a crossing's
// record. A crossing's first event is always crossing.opened (port, lane,
// mode): a workstation's store refuses its own events for a crossing it has
// never seen unless the opening comes first. A replica may still hold only
// part of a crossing (the opening not replicated yet), and a record written
// before that rule may lack it for good, so the fold reports rather than
// refuses.
type Integrity struct {
	// OpeningMissing is set when no crossing.opened was folded: Port, Lane,
	// Mode, Origin and OpenedAt are then unknown.
	OpeningMissing bool
	// BeforeOpening counts the events ordered (by At, then ID) before the
	// first crossing.opened. Clock skew between workstations or a device's
	// own clock can cause it; the opening still counts as present.
	BeforeOpening int
}

// OpeningFirst reports whether the crossing's first event is its opening.
func (i Integrity) OpeningFirst() bool { return !i.OpeningMissing && i.BeforeOpening == 0 }

// Stamped is a value with who recorded it, where and when.
type Stamped[T any] struct {
	Value   T
	EventID string
	Officer string
	Origin  string // workstation that wrote the event
	At      time.Time
}

// By is "officer@workstation", or the workstation alone for a device event.
func (s Stamped[T]) By() string { return source(s.Officer, s.Origin) }

// source formats who recorded an event.
func source(officer, origin string) string {
	switch {
	case officer == "":
		return origin
	case origin == "":
		return officer
	}
	return officer + "@" + origin
}

// Vehicle is what is known of the vehicle in a vehicle-lane crossing.
type Vehicle struct {
	Plate      string
	Region     string
	Confidence float64
	Candidates []PlateCandidate
	CameraID   string
	// Confirmed is set once the officer confirmed or corrected the plate.
	Confirmed   bool
	Corrected   bool
	ConfirmedBy string
}

// Key is the plate's identity for look-ups: "REGION/PLATE".
func (v Vehicle) Key() string { return v.Region + "/" + v.Plate }

// Traveler is one person in the crossing, merged from the RFID enrollment,
// the document read and the reference checks.
type Traveler struct {
	// Key is the document key once a document is known, else "epc:<EPC>".
	Key        string
	TravelerID string
	EPCs       []string
	Program    string // trusted traveller / card program from RFID
	// EnrolledPlates are the vehicles ("REGION/PLATE") a SENTRI enrollment
	// is valid in.
	EnrolledPlates []string
	Surname        string
	GivenNames     string
	BirthDate      string
	Sex            string
	// Document is the travel document presented: the MRZ document once one
	// was read, else the enrolled card.
	Document DocumentRef
	// Documents lists every document known for this person in this
	// crossing (card and passport), so any of them finds the traveller.
	Documents   []DocumentRef
	Nationality string
	ExpiryDate  string
	// MRZ is the parse of the document read or keyed; nil when only the RFID
	// enrollment is known.
	MRZ         *mrz.Result
	RawMRZ      []string
	Keyed       bool // document keyed by hand
	Citizenship string
	Status      string
	Face        *FaceVerified
	// BiometricRef is the biometric system's reference for this
	// traveller's face capture once it was forwarded; "" when it was not
	// (or the face result did not name the capture: a citizenship unknown
	// at capture time keeps the reference out of the record).
	BiometricRef string
	// Checked is set once a reference check for this traveller was recorded.
	Checked bool
}

// DisplayName is "SURNAME, Given Names" or whatever part is known.
func (t Traveler) DisplayName() string {
	switch {
	case t.Surname != "" && t.GivenNames != "":
		return t.Surname + ", " + t.GivenNames
	case t.Surname != "":
		return t.Surname
	default:
		return t.GivenNames
	}
}

// AlertType classifies alerts the officer must acknowledge.
type AlertType string

// Alert types.
const (
	AlertLookout     AlertType = "lookout"
	AlertLostStolen  AlertType = "lost_stolen"
	AlertStatus      AlertType = "status"
	AlertExpired     AlertType = "expired"
	AlertMRZCheck    AlertType = "mrz_check"
	AlertFaceNoMatch AlertType = "face_no_match"
	AlertRPM         AlertType = "rpm_alarm"
	AlertPlate       AlertType = "plate_lookout"
	AlertNotEnrolled AlertType = "vehicle_not_enrolled"
	// AlertNoRPM: a vehicle with no radiation scan on record. Acknowledging
	// it is the officer's statement that the vehicle was scanned another
	// way (handheld, re-scan) or that the portal is out of service.
	AlertNoRPM AlertType = "rpm_missing"
)

// Alert is something the officer must see and acknowledge before admitting.
// Its ID is derived from what raised it, so two workstations raising the same
// alert agree on its id and an acknowledgement from either clears it.
type Alert struct {
	ID       string
	Type     AlertType
	Subject  string // traveller key, plate key or occupancy
	Severity string // high | medium | low
	Text     string
	// ForcesReferral is set for alerts that can only end in secondary (an
	// RPM alarm).
	ForcesReferral bool
	// Occupancy is the RPM occupancy of an RPM alarm (0 when the monitor
	// never closed it).
	Occupancy    int
	RaisedAt     time.Time
	Acknowledged bool
	AckedBy      string
	AckedAt      time.Time
}

// Referral is the referral to secondary.
type Referral struct {
	Reasons []string
	Note    string
	By      string
	At      time.Time
	Origin  string
}

// LSSExchange is the reachback about one RPM occupancy: every request and
// every answer, in fold order.
type LSSExchange struct {
	Occupancy int
	// Request is the first request (zero EventID when an answer arrived
	// with no request in the record).
	Request  Stamped[LSSRequested]
	Requests []Stamped[LSSRequested]
	// Answer is the latest answer (nil while unanswered); Answers keeps
	// them all.
	Answer  *Stamped[LSSAnswered]
	Answers []Stamped[LSSAnswered]
}

// Adjudicated reports whether an answer of the exchange carries a valid
// adjudication code. The latest answer is shown, but any coded answer counts:
// a later free-text remark does not un-adjudicate an alarm.
func (x LSSExchange) Adjudicated() bool {
	for _, a := range x.Answers {
		if a.Value.Adjudicates() {
			return true
		}
	}
	return false
}
