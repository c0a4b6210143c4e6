package supervisor

import (
	"context"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
)

// Store is the supervisor console's read side: its replica of the port's
// crossings, lane journal and workstation status, and the port server's
// copies of every audit chain. Every method is called from a tea.Cmd, never
// from Update, with a context bounded by Config.Timeout. The handle the
// reads go through is read-only in SQLite itself.
//
// It embeds secondary.Store: the drill-down is the secondary workstation's
// crossing view over the same replica.
type Store interface {
	secondary.Store
	// Dashboard is the port at now; dayStart is the start of "today"
	// (local midnight) for the day's counts.
	Dashboard(ctx context.Context, now, dayStart time.Time) (records.Dashboard, error)
	// Find searches the replica: by document number, name + birth date or
	// plate, each within the date range when one is set (a range alone
	// lists the crossings opened in it); newest first, at most limit.
	Find(ctx context.Context, t records.SearchTerms, limit int) ([]secondary.Summary, error)
	// AuditLog reads the port server's copies of every workstation's audit
	// chain through q (the officer reading it is named to the server, which
	// audits the read in its own chain), newest first.
	AuditLog(ctx context.Context, officer string, q records.AuditQuery) ([]records.AuditEntry, error)
	// Audit appends one entry to the console's own audit chain: what the
	// supervisor viewed or searched. It is the system writing, through a
	// handle the screens' reads never use.
	Audit(ctx context.Context, e records.AuditEntry) error
}
