package secondary

import (
	"image"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// msg marks the messages this package's commands return, so the root can
// route them here whatever is on top (IsMsg).
type msg interface{ secondaryMsg() }

type (
	// queueMsg is a reload of the queue, the conflicts and the replica's
	// status.
	queueMsg struct {
		seq       int
		queue     []records.QueueEntry
		conflicts []records.QueueEntry
		err       error
		status    ReplicaStatus
		statusErr error
		at        time.Time
	}
	// crossingMsg is the open crossing read from the replica.
	crossingMsg struct {
		id         string
		seq        int
		events     []records.Event
		c          *records.Crossing
		timeline   []records.TimelineEntry
		history    []Summary
		historyErr error
		photos     map[string]image.Image
		err        error
	}
	// searchMsg is a search's results.
	searchMsg struct {
		q       Query
		results []Summary
		err     error
	}
	// writtenMsg reports a write: saved (err nil) or not.
	writtenMsg struct {
		crossing string
		what     string
		err      error
		// determination: the write was a determination (no longer in
		// flight now).
		determination bool
	}
	// auditFailedMsg reports an audit entry that could not be written.
	auditFailedMsg struct {
		what string
		err  error
	}
	// replayTickMsg advances the replay; gen discards ticks of a replay
	// that was restarted or left.
	replayTickMsg struct{ gen int }
)

func (queueMsg) secondaryMsg()          {}
func (crossingMsg) secondaryMsg()       {}
func (searchMsg) secondaryMsg()         {}
func (writtenMsg) secondaryMsg()        {}
func (auditFailedMsg) secondaryMsg()    {}
func (replayTickMsg) secondaryMsg()     {}
func (ReplicaChangedMsg) secondaryMsg() {}

// IsMsg reports whether m is for the secondary screens (a result of their
// commands, or ReplicaChangedMsg): the root hands it to Model.Update even
// while one of its own dialogs (help) is on top.
func IsMsg(m tea.Msg) bool {
	_, ok := m.(msg)
	return ok
}
