package supervisor

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// The commands below run on other goroutines: they get copies of what they
// need and return a message; only Update changes the model.

// loadDashboard reads the dashboard and the replica's status.
func (m *Model) loadDashboard() tea.Cmd {
	m.dashSeq++
	seq, store, now := m.dashSeq, m.deps.Store, m.sh.Now()
	ctx, timeout := m.ctx, m.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		out := dashboardMsg{seq: seq, at: now}
		out.d, out.err = store.Dashboard(ctx, now, dayStart(now))
		if out.err != nil {
			out.err = fmt.Errorf("read the dashboard: %w", out.err)
		}
		out.status, out.statusErr = store.Status(ctx)
		return out
	}
}

// dayStart is the local midnight that starts now's day.
func dayStart(now time.Time) time.Time {
	l := now.Local()
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, l.Location())
}

// searchCmd searches the replica and audits the search with its terms
// (and how many crossings it found).
func (m *Model) searchCmd(q records.SearchTerms) tea.Cmd {
	store, limit, badge := m.deps.Store, m.cfg.SearchLimit, m.officer
	ctx, timeout := m.ctx, m.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		res, err := store.Find(ctx, q, limit)
		if err != nil {
			return searchMsg{q: q, err: fmt.Errorf("search %s: %w", q.String(), err)}
		}
		out := searchMsg{q: q, results: res}
		if err := store.Audit(ctx, searchAudit(badge, q, len(res))); err != nil {
			out.auditErr = fmt.Errorf("audit of the search not recorded: %w", err)
		}
		return out
	}
}

// auditLogCmd reads the port's audit log through a filter and audits the
// view.
func (m *Model) auditLogCmd(f records.AuditQuery) tea.Cmd {
	store, limit, badge := m.deps.Store, m.cfg.AuditLimit, m.officer
	ctx, timeout := m.ctx, m.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		q := f
		q.Limit = limit
		es, err := store.AuditLog(ctx, badge, q)
		if err != nil {
			return auditLogMsg{q: f, err: fmt.Errorf("read the audit log (%s): %w", f.String(), err)}
		}
		out := auditLogMsg{q: f, entries: es}
		if err := store.Audit(ctx, auditLogViewAudit(badge, q, len(es))); err != nil {
			out.auditErr = fmt.Errorf("audit of this view not recorded: %w", err)
		}
		return out
	}
}

// auditFunc is the drill-down's audit hook: the secondary crossing view
// reports its views ("view", "crossing <id>") through it into the
// console's audit chain.
func auditFunc(store Store) func(ctx context.Context, badge, action, subject string) error {
	return func(ctx context.Context, badge, action, subject string) error {
		return store.Audit(ctx, viewEntry(badge, action, subject))
	}
}
