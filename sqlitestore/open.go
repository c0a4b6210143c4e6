package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore/internal/diskfull"
)

// Options configures Open.
type Options struct {
	// Origin is this workstation's id. Events it appends are stamped with it
	// and numbered in its gap-free sequence. Required unless ReadOnly.
	Origin string
	// ReadOnly opens the database so that SQLite itself refuses every write
	// (supervisors). The write methods return ErrReadOnly.
	ReadOnly bool
	// Logger receives the store's diagnostics; nil means slog.Default().
	Logger *slog.Logger
	// ReadConns bounds the read pool; 0 means 4.
	ReadConns int
	// PINIterations is the cost (PBKDF2 iterations) of the PIN hashes this
	// store makes for new officers and for the decoy an unknown badge is
	// checked against; 0 means the production cost, 600,000. Only tests of
	// the sign-in logic lower it (a hash then takes microseconds instead of
	// about half a second, seconds under the race detector). A stored hash
	// is always checked at the cost it was made with.
	PINIterations int
}

// Errors returned by the store.
var (
	// ErrReadOnly is returned by every write on a store opened read-only.
	ErrReadOnly = errors.New("store is read-only")
	// ErrNotFound is returned when a crossing has no events.
	ErrNotFound = errors.New("not found")
	// ErrInvalidEvent wraps the reason an event was refused by Append.
	ErrInvalidEvent = records.ErrInvalidEvent
	// ErrWrongWorkstation is returned by Open when the database belongs to a
	// different workstation id than Options.Origin.
	ErrWrongWorkstation = errors.New("database belongs to another workstation")
	// ErrNotOpened is returned by Append for a local event of a crossing
	// this store has never seen when no crossing.opened of that crossing
	// comes before it in the same call: a crossing's first event is always
	// its opening. The error names the crossing.
	ErrNotOpened = errors.New("crossing not opened")
	// ErrDiskFull is matched by the error of any write that failed because
	// the disk (or the database's size limit) is full. The failure is logged
	// at most once a minute until a write succeeds.
	ErrDiskFull = diskfull.ErrDiskFull
)

// busyTimeoutMS is how long a connection waits for a lock held by another
// connection or process before failing with SQLITE_BUSY.
const busyTimeoutMS = 5000

// readerMmapBytes is how much of the database file each reader maps.
const readerMmapBytes = 256 << 20

// Store is the booth's database. It is safe for concurrent use.
type Store struct {
	path     string
	origin   string
	readOnly bool
	log      *slog.Logger

	pinIterations int // cost of new PIN hashes; see Options.PINIterations

	write *sql.DB   // nil when read-only; exactly one connection
	read  *sql.DB   // query-only pool
	stmts stmtCache // prepared statements of the writer

	appendCache appendCache   // events of recently appended crossings; see append_cache.go
	markStmt    *sql.Stmt     // reads the writer's mark for appendCache
	group       groupCommit   // merges concurrent Appends into one commit
	full        *diskfull.Log // logs disk-full failures once a minute

	ckpt     *sql.DB // background checkpoint connection; nil when read-only
	stopCkpt context.CancelFunc
	ckptDone chan struct{}
}

// Open opens (creating if needed) the database at path, applies pending
// migrations and returns the store. A read-only store never creates or
// migrates: the file must exist at this build's schema version.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if path == "" {
		return nil, errors.New("sqlitestore: open: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	if !opts.ReadOnly {
		if opts.Origin == "" {
			return nil, fmt.Errorf("sqlitestore: open %s: a workstation id (Options.Origin) is required to write", abs)
		}
		if err := checkField("origin", opts.Origin); err != nil {
			return nil, fmt.Errorf("sqlitestore: open %s: %w", abs, err)
		}
	}
	ms, err := loadMigrations()
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	if opts.PINIterations < 0 {
		return nil, fmt.Errorf("sqlitestore: open %s: PIN iterations %d is negative", abs, opts.PINIterations)
	}
	if opts.PINIterations == 0 {
		opts.PINIterations = defaultPINIterations
	}
	s := &Store{path: abs, origin: opts.Origin, readOnly: opts.ReadOnly, log: log.With("db", abs),
		pinIterations: opts.PINIterations}
	s.full = diskfull.NewLog(s.log, nil)

	if opts.ReadOnly {
		// mode=ro fails instead of creating a missing file.
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("sqlitestore: open %s read-only: %w", abs, err)
		}
	} else {
		if err := createPrivate(abs); err != nil {
			return nil, fmt.Errorf("sqlitestore: open %s: %w", abs, err)
		}
		s.write, err = sql.Open("sqlite", dsn(abs, false))
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: open writer %s: %w", abs, err)
		}
		s.write.SetMaxOpenConns(1)
		s.write.SetMaxIdleConns(1)
		s.write.SetConnMaxLifetime(0)
		s.write.SetConnMaxIdleTime(0)
		applied, err := migrate(ctx, s.write, ms)
		if err != nil {
			s.write.Close()
			return nil, fmt.Errorf("sqlitestore: open %s: %w", abs, err)
		}
		if len(applied) > 0 {
			s.log.Info("database migrated", "applied", applied)
		}
		if err := s.claimWorkstation(ctx); err != nil {
			s.write.Close()
			return nil, fmt.Errorf("sqlitestore: open %s: %w", abs, err)
		}
		if err := s.stmts.prepare(ctx, s.write); err != nil {
			s.write.Close()
			return nil, fmt.Errorf("sqlitestore: open %s: %w", abs, err)
		}
		if s.markStmt, err = s.write.PrepareContext(ctx, writerMarkSQL); err != nil {
			s.stmts.close()
			s.write.Close()
			return nil, fmt.Errorf("sqlitestore: open %s: prepare %q: %w", abs, writerMarkSQL, err)
		}
		// fdatasync is as durable as fsync for a commit (it still flushes the
		// file size) and skips the timestamp update ext4 would journal. The
		// switch is process-wide; every SQLite file of the booth gains.
		if _, err := sqlite.Fdatasync(true); err != nil {
			s.log.Debug("fdatasync unavailable, commits use fsync", "err", err)
		}
		if err := s.startCheckpointer(); err != nil {
			s.closeWriter()
			return nil, fmt.Errorf("sqlitestore: open %s: %w", abs, err)
		}
	}

	s.read, err = sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		s.closeWriter()
		return nil, fmt.Errorf("sqlitestore: open readers %s: %w", abs, err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = 4
	}
	s.read.SetMaxOpenConns(n)
	s.read.SetMaxIdleConns(n)
	// Connect one reader now so a bad file or permission fails Open, not
	// the first look-up.
	if err := s.read.PingContext(ctx); err != nil {
		s.read.Close()
		s.closeWriter()
		return nil, fmt.Errorf("sqlitestore: open readers %s: %w", abs, err)
	}
	if opts.ReadOnly {
		if err := checkVersion(ctx, s.read, ms); err != nil {
			s.read.Close()
			return nil, fmt.Errorf("sqlitestore: open %s read-only: %w", abs, err)
		}
	}
	return s, nil
}

// dsn builds the driver name for the database at abs. Readers are opened
// with mode=ro (read-only store) or query_only (writable store's pool), so
// SQLite itself refuses writes through them.
func dsn(abs string, reader bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if reader {
		q.Set("mode", "ro")
		q.Add("_pragma", "query_only(1)")
		// Look-ups read pages through a memory map instead of one pread
		// per page: no syscalls on a warm cache. The map is address space;
		// the pages stay in the OS cache, shared and reclaimable (they count in
		// RSS only once touched).
		q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", readerMmapBytes))
	} else {
		// WAL is persistent in the file; only the writer may switch to it.
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", autoCheckpointPages))
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String()
}

// claimWorkstation records the workstation id on first open and refuses to
// write a database that belongs to another workstation: two writers sharing
// one origin sequence would break its gap-free numbering.
func (s *Store) claimWorkstation(ctx context.Context) error {
	var owner string
	err := s.write.QueryRowContext(ctx, `SELECT origin FROM workstation WHERE singleton = 1`).Scan(&owner)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.write.ExecContext(ctx,
			`INSERT INTO workstation (singleton, origin) VALUES (1, ?)`, s.origin); err != nil {
			return fmt.Errorf("record workstation id: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read workstation id: %w", err)
	case owner != s.origin:
		return fmt.Errorf("%w: database is workstation %q's, configured as %q", ErrWrongWorkstation, owner, s.origin)
	}
	return nil
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Origin is the workstation id the store stamps on appended events.
func (s *Store) Origin() string { return s.origin }

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Close closes every connection. Pending WAL content stays durable in the
// -wal file and is checkpointed by the next writer.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil {
		if err := s.read.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close readers: %w", err))
		}
	}
	if err := s.closeWriter(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlitestore: close %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) closeWriter() error {
	if s.write == nil {
		return nil
	}
	ckErr := s.stopCheckpointer()
	s.stmts.close()
	if s.markStmt != nil {
		s.markStmt.Close()
	}
	if err := s.write.Close(); err != nil {
		return errors.Join(ckErr, fmt.Errorf("close writer: %w", err))
	}
	return ckErr
}

// createPrivate creates the database file empty with mode 0600 when it does
// not exist, before SQLite opens it: SQLite would create it with its own
// default (0644 under the usual umask), readable by every local user, and it
// gives the -wal and -shm files the database file's mode. An existing file
// is left as it is; the programs check its mode at start.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create the database file 0600: %w", err)
	}
	return f.Close()
}
