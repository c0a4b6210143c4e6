// Package tui is the booth's primary inspection workstation: the Bubble Tea
// program officers work at all shift. It shows the vehicle (or pedestrian) at
// the booth, its travellers, alerts, face result and history, and writes every
// officer action and device observation to the crossing log.
//
// Update is free of I/O: every store write, look-up and matcher call is a
// tea.Cmd returning a message. Device observations enter through
// Program.Send(DeviceMsg{...}) from one goroutine in the command wiring.
package tui

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/facematch"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// Log is the crossing event log. Append returns only once the events are
// durable; the screen says "saved" only after it returned.
// *sqlitestore.Store satisfies it.
type Log interface {
	Append(ctx context.Context, evs ...records.Event) ([]records.Event, error)
}

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

// Officer is a logged-in officer.
type Officer struct {
	Badge string
	Name  string
	Role  string // primary | secondary | supervisor
}

// Sign-in refusals an Officers implementation reports (wrapped), so the
// screen can word them without knowing the store.
var (
	ErrBadCredentials = errors.New("badge or PIN not accepted")
	ErrLockedOut      = errors.New("account locked after repeated failures")
	ErrDisabled       = errors.New("account disabled")
)

// Officers authenticates officers and keeps the audit trail of sessions.
type Officers interface {
	Authenticate(ctx context.Context, badge string, pin []byte, now time.Time) (Officer, error)
	// Audit records a session event (login, login_failed, logout, lock,
	// unlock, view) in the audit chain.
	Audit(ctx context.Context, badge, action, subject string) error
}

// Faces is the local face matcher. *facematch.Client satisfies it.
type Faces interface {
	// Verify compares the live capture at the lane with the document's photo
	// on file. It never fails: a timeout or nonsense answer comes back as
	// "unavailable" with the reason in Detail.
	Verify(ctx context.Context, lane string, doc records.DocumentRef) facematch.Verification
	// Capture and Gallery fetch the live capture and the photo on file as
	// PNG; a missing image is facematch.ErrNotFound.
	Capture(ctx context.Context, id string) ([]byte, error)
	Gallery(ctx context.Context, doc records.DocumentRef) ([]byte, error)
}

// Biometrics keeps face captures in the booth's separate biometric store,
// never in the event log. *sqlitestore.BiometricStore satisfies it.
type Biometrics interface {
	SaveCapture(ctx context.Context, c sqlitestore.Capture) error
	// MarkCitizenship re-files a capture once the traveller's citizenship
	// is established (it decides how long the capture may be kept).
	MarkCitizenship(ctx context.Context, id string, status sqlitestore.CitizenshipStatus) error
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
	// FaceTimeout bounds a face verification (default 1.5 s, DESIGN §3).
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
