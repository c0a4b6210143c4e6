// Package secondary is the secondary inspection workstation's screens: the
// referral queue (and its conflicts view), search, the open crossing with its
// full timeline, findings, LSS reachback, the final determination and the
// replay of a crossing's timeline (docs/design.md §8, docs/tui.md).
//
// The tui root model signs the officer in and then hands the body of the
// screen to a Model of this package. Like the rest of the TUI, Update does no
// I/O: every read of the replica and every write of an event runs in a
// tea.Cmd and comes back as a message.
//
// What the wiring provides (cmd/booth implements it over the replica):
//
//   - Store: the queries on the workstation's replica of the port's crossings
//     (Queue, Conflicts, Crossing, Search, History, Gallery, Status).
//   - Log: the same crossing event log the primary booth writes through
//     (tui.Log has the same method): a finding, an LSS request or answer, a
//     take and a determination are each one event appended to it.
//
// The replica changes under the screen: the command that pulls the port's
// feed sends ReplicaChangedMsg through Program.Send after every batch it
// applied (the one door in of docs/design.md §10.2). The queue and an open
// crossing then reload without a key press.
package secondary

import (
	"context"
	"image"
	"time"

	"github.com/portofentry/booth/records"
)

// Store is the secondary workstation's read side: its replica of the port's
// crossings, filled by the feed puller. Every method is called from a
// tea.Cmd, never from Update, with a context bounded by Config.Timeout.
type Store interface {
	// Queue is every crossing with a referral and no final determination,
	// oldest referral first (records.QueueEntry, folded from the events).
	Queue(ctx context.Context) ([]records.QueueEntry, error)
	// Conflicts is every crossing holding two determinations neither of
	// which supersedes the other, oldest first.
	Conflicts(ctx context.Context) ([]records.QueueEntry, error)
	// Crossing is every event of one crossing in the replica, in any
	// order (the screen folds and sorts them). No events and no error
	// when the replica does not hold it.
	Crossing(ctx context.Context, id string) ([]records.Event, error)
	// Search finds crossings by document number, by name and birth date,
	// or by plate (the fields of q that are set; several set: any of
	// them), newest first, at most limit.
	Search(ctx context.Context, q Query, limit int) ([]Summary, error)
	// History is the earlier crossings of the crossing's travellers and
	// vehicle, newest first, at most limit (the crossing itself excluded).
	History(ctx context.Context, c *records.Crossing, limit int) ([]Summary, error)
	// Gallery is the photo on file of a document (never a live capture);
	// nil, nil when there is none.
	Gallery(ctx context.Context, doc records.DocumentRef) (image.Image, error)
	// Status is how current the replica is.
	Status(ctx context.Context) (ReplicaStatus, error)
}

// Log is the crossing event log the workstation writes to. Append returns
// once the events are durable; the screen says "saved" only then. It is the
// method of tui.Log, so the same adapter serves both.
type Log interface {
	Append(ctx context.Context, evs ...records.Event) ([]records.Event, error)
}

// Query is a search of the replica. Document matches a document number (any
// issuing country); Surname with BirthDate (YYYY-MM-DD) matches a traveller;
// Plate matches a plate in any region. Empty fields are not searched.
type Query struct {
	Document  string
	Surname   string
	BirthDate string
	Plate     string
}

// Summary is one crossing in a search result or a history list.
type Summary struct {
	CrossingID string
	At         time.Time // opened
	Port, Lane string
	Plate      string   // "REGION/PLATE" or ""
	Names      []string // travellers, "SURNAME, Given"
	Referred   bool
	// Outcome is the final determination ("" while undetermined); with
	// Conflict set there are several (Outcomes).
	Outcome  string
	Conflict bool
	Outcomes []string
}

// ReplicaStatus is how current the workstation's replica of the port is.
type ReplicaStatus struct {
	// Synced is when the replica last caught up with the port server's
	// feed; zero when it never has.
	Synced time.Time
	// Link is the feed's state ("connected", "offline: …").
	Link string
}

// ReplicaChangedMsg tells the screen that the replica applied new events.
// The feed puller's goroutine sends it through Program.Send; Crossings, when
// known, names the crossings that changed (nil: reload whatever is shown).
type ReplicaChangedMsg struct {
	Crossings []string
}
