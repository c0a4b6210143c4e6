package sqlitestore

import "github.com/portofentry/booth/sqlitestore/internal/diskfull"

// written records the outcome of a write named op and returns err, marked
// with ErrDiskFull when the disk is full. A disk-full failure is logged at
// most once a minute for the whole store (every writer — Append, the feed
// puller, outbox acks, the checkpointer — retries on its own schedule, and
// the log needs one line, not one per retry); a later success says once that
// writes work again. Other errors are the caller's to report.
func (s *Store) written(op string, err error) error {
	switch {
	case err == nil:
		s.full.Succeeded()
	case diskfull.Is(err):
		err = diskfull.Wrap(err)
		s.full.Failed(op, err)
	}
	return err
}

// DiskFull reports whether the store's last write failed because the disk
// is full and none has succeeded since.
func (s *Store) DiskFull() bool { return s.full.Full() }
