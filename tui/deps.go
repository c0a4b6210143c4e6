// Package tui is the booth's primary inspection workstation: the Bubble Tea
// program officers work at all shift. It shows the vehicle (or pedestrian) at
// the booth, its travellers, alerts, face result and history, and writes every
// officer action and device observation to the crossing log.
//
// Update is free of I/O: every store write, look-up and matcher call is a
// tea.Cmd returning a message. Device observations enter through
// Program.Send(DeviceMsg{...}) from one goroutine in the command wiring.
//
// The package depends only on records, the hardware event types and the
// interfaces it declares here (Log, Lookups, Officers, Faces, Biometrics);
// the adapters to the SQLite store and the face matcher live in cmd/booth.
package tui

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
)

// Log is the crossing event log. Append returns only once the events are
// durable; the screen says "saved" only after it returned. An event whose id
// is already stored is skipped (the stored copy is returned in its place),
// so a write may repeat a crossing's opening harmlessly. A log that runs out
// of space returns an error wrapping ErrDiskFull.
type Log interface {
	Append(ctx context.Context, evs ...records.Event) ([]records.Event, error)
}

// ErrDiskFull is what a Log's error wraps when the disk holding the record is
// full: the header then says DISK FULL until a write succeeds.
var ErrDiskFull = errors.New("disk full")

// HistoryEntry is one prior crossing shown in the history panel.
type HistoryEntry struct {
	CrossingID string
	At         time.Time
	Port       string
	Lane       string
	Mode       records.Mode
	Outcome    string // determination outcome, "" while undetermined
	Status     string
	Plate      string
	Referred   bool
}

// RefStatus is the state of the booth's reference data and its link to the
// port server, for the header.
type RefStatus struct {
	AsOf    time.Time // oldest "as of" of the reference datasets; zero when none loaded
	Stale   bool
	Link    string // connected | offline | …, with a short note
	Backlog int    // events not yet acknowledged by the port server
	Oldest  time.Time
}

// Lookups are the reference and history queries the booth makes while a
// vehicle approaches.
type Lookups interface {
	// Enrollment resolves an RFID card; nil, nil when the card is unknown.
	Enrollment(ctx context.Context, epc string) (*records.Enrollment, error)
	// CheckTraveler checks one traveller's document and identity against
	// lookouts, lost/stolen documents and status.
	CheckTraveler(ctx context.Context, t records.Traveler) (records.ReferenceChecked, error)
	// CheckPlate checks the vehicle's plate against plate lookouts.
	CheckPlate(ctx context.Context, region, plate string) (records.ReferenceChecked, error)
	TravelerHistory(ctx context.Context, t records.Traveler, limit int) ([]HistoryEntry, error)
	PlateHistory(ctx context.Context, region, plate string, limit int) ([]HistoryEntry, error)
	Status(ctx context.Context) (RefStatus, error)
}

// NationalLookups is what a Lookups may also offer: other ports' crossings
// from the national tier, asked of the port server (which asks the hub).
// The history panel shows local history without waiting for it and adds
// these when they arrive; a Lookups without it shows local history only.
type NationalLookups interface {
	// NationalHistory returns other ports' crossings (Port, Lane, At,
	// Outcome, CrossingID), newest first. It wraps ErrNationalUnconfigured
	// when there is no port server or no hub, ErrNationalUnavailable when
	// the hub did not answer in time.
	NationalHistory(ctx context.Context, q NationalQuery) ([]HistoryEntry, error)
}

// NationalQuery is one national history look-up: a document (Country and
// Number), a surname and birth date, or a plate (and its region), in the
// name of the officer signed in ("" for the system).
type NationalQuery struct {
	Country, Number    string
	Surname, BirthDate string
	Region, Plate      string
	Officer            string
	Limit              int
}

// National history refusals a NationalLookups reports (wrapped).
var (
	ErrNationalUnconfigured = errors.New("national history not configured")
	ErrNationalUnavailable  = errors.New("national history unavailable")
)

// Officer is a logged-in officer.
type Officer struct {
	Badge string
	Name  string
	Role  string // the account's roles: "primary", "primary,secondary", ...
	// ReadOnly is set when this officer may not write at this workstation
	// (a supervisor, or --read-only): the session gets the read-only keys.
	ReadOnly bool
}

// Sign-in refusals an Officers implementation reports (wrapped), so the
// screen can word them without knowing the store.
var (
	ErrBadCredentials = errors.New("badge or PIN not accepted")
	ErrLockedOut      = errors.New("account locked after repeated failures")
	ErrDisabled       = errors.New("account disabled")
	// ErrNoRole: the account has no role for this kind of workstation.
	ErrNoRole = errors.New("no role for this workstation")
	// ErrCacheExpired: the workstation has not heard from the port server
	// for too long; only a break-glass account signs in.
	ErrCacheExpired = errors.New("accounts not confirmed by the port server for too long: only a break-glass account may sign in")
)

// Officers authenticates officers and keeps the audit trail of sessions.
type Officers interface {
	Authenticate(ctx context.Context, badge string, pin []byte, now time.Time) (Officer, error)
	// Audit records a session event (login, login_failed, logout, lock,
	// unlock, view) in the audit chain.
	Audit(ctx context.Context, badge, action, subject string) error
	// RecordAudit records an entry built by records with its detail (the
	// primary screen's history look-ups: records.HistoryLookupAudit, which
	// names the crossing it was made for) in the same chain.
	RecordAudit(ctx context.Context, e records.AuditEntry) error
}

// FaceVerification is the face matcher's verdict on one document.
type FaceVerification struct {
	Result     records.FaceResult
	Score      float64 // similarity in [0,1]; 0 when the matcher gave none
	Threshold  float64 // the matcher's decision threshold in [0,1]
	CaptureID  string  // the live capture; may be empty
	CapturedAt time.Time
	// Detail says why the result is unavailable; empty otherwise.
	Detail string
}

// ErrNoImage is what Faces returns (wrapped) for an image the matcher does
// not have.
var ErrNoImage = errors.New("no such image")

// Faces is the local face matcher.
type Faces interface {
	// Verify compares the live capture at the lane with the document's photo
	// on file. It never fails: a timeout or nonsense answer comes back as
	// "unavailable" with the reason in Detail.
	Verify(ctx context.Context, lane string, doc records.DocumentRef) FaceVerification
	// Capture fetches the live capture: the PNG as sent (kept in the
	// biometric store) and the decoded image (shown).
	Capture(ctx context.Context, id string) (png []byte, img image.Image, err error)
	// Gallery fetches the document's photo on file.
	Gallery(ctx context.Context, doc records.DocumentRef) (image.Image, error)
}

// Citizenship is the retention class a face capture is kept under: how long
// the biometric store may keep it depends on the traveller's citizenship.
type Citizenship string

// Retention classes. Until citizenship is established a capture is kept as
// a citizen's.
const (
	CitizenshipUnknown Citizenship = "unknown"
	CitizenshipUSC     Citizenship = "usc"
	CitizenshipNonUSC  Citizenship = "non_usc"
)

// FaceCapture is a live capture to keep in the biometric store.
type FaceCapture struct {
	ID          string // the matcher's capture id
	CrossingID  string
	Document    records.DocumentRef
	PNG         []byte
	CapturedAt  time.Time
	Citizenship Citizenship
}

// Biometrics keeps face captures in the booth's separate biometric store,
// never in the event log.
type Biometrics interface {
	SaveCapture(ctx context.Context, c FaceCapture) error
	// MarkCitizenship re-files a capture once the traveller's citizenship
	// is established (it decides how long the capture may be kept).
	MarkCitizenship(ctx context.Context, id string, class Citizenship) error
}

// Deps are the workstation's collaborators.
type Deps struct {
	Log      Log
	Lookups  Lookups
	Officers Officers
	Faces    Faces
	// Biometrics stores live captures for retention; nil keeps them in
	// memory only (for display).
	Biometrics Biometrics
	Logger     *slog.Logger
	// Released, when set, is called (from a command, never from Update)
	// each time the vehicle at the booth leaves it: the officer decided or
	// moved on. The demo paces its simulated lane with it.
	Released func()
	// Now is the clock (time.Now when nil); tests fix it.
	Now func() time.Time
}

// Config is what the TUI needs from the workstation configuration.
type Config struct {
	Workstation string
	Port        string
	Lane        string
	Mode        records.Mode
	Role        string // primary | secondary | supervisor
	// ReadOnly unbinds every write action (supervisors are always read-only).
	ReadOnly bool
	// IdleLock locks the screen after this long without a key (0: never).
	IdleLock time.Duration
	// Keys rebinds actions: action name -> keys (see KeyActions).
	Keys map[string][]string
	// Theme is auto, dark or light.
	Theme string
	// NoColor draws without colour (NO_COLOR set).
	NoColor bool
	// LoginHint is shown on the login screen (the demo officer's badge and
	// PIN in demo mode).
	LoginHint string
	// Rules are the lane correlation rules (DefaultLaneRules when zero).
	Rules records.LaneRules
	// HistoryLimit is how many prior crossings to fetch per subject.
	HistoryLimit int
	// LookupTimeout bounds each store look-up and write (default 5 s).
	LookupTimeout time.Duration
	// FaceTimeout bounds a face verification (default 1.5 s, docs/design.md §3.6).
	FaceTimeout time.Duration
}

// DeviceMsg carries one device event into the program.
type DeviceMsg struct{ Event hardware.Event }

// DeviceHealth is one device's health for the header.
type DeviceHealth struct {
	Device    hardware.Device
	State     string // connected | disconnected | faulty
	LastFrame time.Time
	Errors    int
	LastError string
}

// HealthMsg carries a snapshot of every device's health.
type HealthMsg struct{ Devices []DeviceHealth }
