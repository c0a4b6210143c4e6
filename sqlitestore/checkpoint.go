package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Checkpointing copies committed pages from the WAL back into the database
// file. SQLite does it by default inside the commit that crosses the
// threshold, which puts a burst of writes and an extra fsync on one
// officer's Append. The store instead checkpoints from a connection of its
// own in the background (PASSIVE: it never blocks the writer or readers),
// and keeps SQLite's automatic checkpoint only as a far-off safety net.

// checkpointEvery is how often the background checkpoint runs.
const checkpointEvery = time.Second

// autoCheckpointPages is the writer's fallback threshold (32 MiB of WAL).
const autoCheckpointPages = 8192

// startCheckpointer opens the checkpoint connection and starts its loop.
func (s *Store) startCheckpointer() error {
	db, err := sql.Open("sqlite", dsn(s.path, false))
	if err != nil {
		return fmt.Errorf("open checkpoint connection: %w", err)
	}
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithCancel(context.Background())
	s.ckpt, s.stopCkpt, s.ckptDone = db, cancel, make(chan struct{})
	go s.checkpointLoop(ctx)
	return nil
}

func (s *Store) checkpointLoop(ctx context.Context) {
	defer close(s.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var busy, logPages, done int
		err := s.ckpt.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &done)
		if err != nil && ctx.Err() == nil && !s.full.Failed("checkpoint", err) {
			s.log.Warn("background checkpoint failed", "err", err)
		}
	}
}

// stopCheckpointer stops the loop and closes its connection.
func (s *Store) stopCheckpointer() error {
	if s.ckpt == nil {
		return nil
	}
	s.stopCkpt()
	<-s.ckptDone
	if err := s.ckpt.Close(); err != nil {
		return fmt.Errorf("close checkpoint connection: %w", err)
	}
	return nil
}
