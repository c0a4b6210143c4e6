package supervisor

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
)

// msg marks the messages this package's commands return, so the root can
// route them here whatever is on top (IsMsg).
type msg interface{ supervisorMsg() }

type (
	// dashboardMsg is a reload of the dashboard and the replica's status.
	dashboardMsg struct {
		seq       int
		d         records.Dashboard
		err       error
		status    secondary.ReplicaStatus
		statusErr error
		at        time.Time
	}
	// searchMsg is a search's results.
	searchMsg struct {
		q        records.SearchTerms
		results  []secondary.Summary
		err      error
		auditErr error
	}
	// auditLogMsg is the audit entries a filter selected.
	auditLogMsg struct {
		q        records.AuditQuery
		entries  []records.AuditEntry
		err      error
		auditErr error
	}
)

func (dashboardMsg) supervisorMsg() {}
func (searchMsg) supervisorMsg()    {}
func (auditLogMsg) supervisorMsg()  {}

// IsMsg reports whether m is for the supervisor screens: a result of their
// commands, or one of the secondary package's messages (the feed's
// ReplicaChangedMsg, and the drill-down's own reads). The root hands it to
// Model.Update even while one of its dialogs (help) is on top.
func IsMsg(m tea.Msg) bool {
	if _, ok := m.(msg); ok {
		return true
	}
	return secondary.IsMsg(m)
}
