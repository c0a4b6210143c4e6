package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui/secondary"
	"github.com/portofentry/booth/tui/supervisor"
)

// supervisorStore is the supervisor screens' view of the console's replica
// (supervisor.Store). Every read goes through screens, a handle SQLite
// itself keeps read-only; the only write, the console's audit entries, goes
// through the workstation's writable store (the system writing, as the
// feed puller does), and the audit log is read from the port server.
type supervisorStore struct {
	*secondaryStore // crossings, history and replica status, over screens
	screens         *sqlitestore.Store
	audit           *sqlitestore.Store
	// client reads the port server's audit log; nil without a port server.
	client *replication.Client
	// notify wakes the outbox sender after an audit entry (nil: no link).
	notify func()
}

var _ supervisor.Store = (*supervisorStore)(nil)

// errNoPortServer: the audit log lives at the port server.
var errNoPortServer = errors.New("no port server configured: the audit log is read from the port server")

// newSupervisorStore builds the console's screens' store: screens must be
// opened read-only, writer is the workstation's own store (it keeps the
// console's audit chain).
func newSupervisorStore(screens, writer *sqlitestore.Store, link *replication.Link, client *replication.Client, faces *matcher) (*supervisorStore, error) {
	if !screens.ReadOnly() {
		return nil, errors.New("supervisor console: the screens' handle must be read-only")
	}
	s := &supervisorStore{secondaryStore: newSecondaryStore(screens, link, faces), screens: screens, audit: writer, client: client}
	if link != nil {
		s.notify = link.Notify
	}
	return s, nil
}

// Dashboard computes the port dashboard at now from the replica (crossings,
// lane journal, the port status the watcher mirrors).
func (s *supervisorStore) Dashboard(ctx context.Context, now, dayStart time.Time) (records.Dashboard, error) {
	in, err := s.screens.DashboardInput(ctx, now, dayStart)
	if err != nil {
		return records.Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	return records.BuildDashboard(in), nil
}

// Find searches the replica with a date range, newest first.
func (s *supervisorStore) Find(ctx context.Context, t records.SearchTerms, limit int) ([]secondary.Summary, error) {
	hs, err := s.screens.SearchCrossings(ctx, t, limit)
	if err != nil {
		return nil, err
	}
	out := make([]secondary.Summary, 0, len(hs))
	for _, h := range hs {
		out = append(out, summaryOf(h))
	}
	return out, nil
}

// AuditLog reads the port server's copies of every workstation's audit
// chain; the server records the read under officer in its own chain.
func (s *supervisorStore) AuditLog(ctx context.Context, officer string, q records.AuditQuery) ([]records.AuditEntry, error) {
	if s.client == nil {
		return nil, errNoPortServer
	}
	return s.client.QueryAudit(ctx, q, officer)
}

// Audit appends one of the console's view entries to its own chain and
// wakes the outbox sender, which takes it up to the port server.
func (s *supervisorStore) Audit(ctx context.Context, e records.AuditEntry) error {
	if err := s.audit.Audit(ctx, e); err != nil {
		return err
	}
	if s.notify != nil {
		s.notify()
	}
	return nil
}
