package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// A supervisor console (`--role supervisor`) runs no lane devices and
// writes no crossing event. Like a secondary workstation it keeps its
// replica of the port's crossings with the feed puller, and beside it the
// port watcher mirrors the lane journal and every workstation's status
// (heartbeats) into it; both are the system writing, through the
// workstation's store. The screens read through a second handle that
// SQLite itself keeps read-only; the console's audit entries (sign-in,
// views, searches, audit-log views) are written by the system into its
// chain and go up with the outbox sender. Every batch the puller applies
// and every round the watcher stores reaches the screens as
// ReplicaChangedMsg (replicaChanges → forwardSecondary → Program.Send).

// isSupervisor reports whether the workstation is a supervisor console.
func isSupervisor(cfg Config) bool { return cfg.Role == "supervisor" }

// newPortWatcher keeps the console's copy of the lane journal and the port
// status, signalling changes to the screens.
func newPortWatcher(store *sqlitestore.Store, client *replication.Client, logger *slog.Logger, changes *replicaChanges) (*replication.PortWatcher, error) {
	w, err := replication.NewPortWatcher(replication.PortWatcherConfig{Store: store, Client: client, Logger: logger,
		OnChanged: func() { changes.applied(nil, 0) }})
	if err != nil {
		return nil, fmt.Errorf("port watcher: %w", err)
	}
	return w, nil
}

// openScreens opens the console's screens' handle on the database:
// read-only in SQLite itself (an INSERT through it fails with
// SQLITE_READONLY).
func openScreens(ctx context.Context, cfg Config, logger *slog.Logger) (*sqlitestore.Store, error) {
	s, err := sqlitestore.Open(ctx, cfg.Database, sqlitestore.Options{Origin: cfg.Workstation, ReadOnly: true, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open the screens' read-only handle: %w", err)
	}
	return s, nil
}
