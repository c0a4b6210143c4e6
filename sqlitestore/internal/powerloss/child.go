package powerloss

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// Environment of a child process.
const (
	// ChildEnv selects the child's role: one of the Mode values.
	ChildEnv = "BOOTH_POWERLOSS_CHILD"
	// DBEnv is the database path on the mount.
	DBEnv = "BOOTH_POWERLOSS_DB"
	// SyncEnv set to OFF runs the writer with synchronous=OFF, to prove
	// the test detects a store that acknowledges before its data is durable.
	SyncEnv = "BOOTH_POWERLOSS_SYNC"
	// SeedEnv seeds the writer's choices.
	SeedEnv = "BOOTH_POWERLOSS_SEED"
)

// Mode is what a child process does.
type Mode string

// The child roles.
const (
	WriteBooth  Mode = "write-booth"  // sqlitestore.Store.Append, local events with outbox
	WriteServer Mode = "write-server" // the port server's ingest of booth batches
	CheckBooth  Mode = "check-booth"  // report what a rebooted booth holds
	CheckServer Mode = "check-server" // report what a rebooted server holds
)

// Workstation ids of the workloads.
const (
	boothOrigin  = "WS-POWERLOSS"
	serverOrigin = "port-powerloss"
)

// RunChild runs the child role named by ChildEnv and returns its exit
// code; ok is false when ChildEnv is unset (not a child).
func RunChild() (code int, ok bool) {
	mode := Mode(os.Getenv(ChildEnv))
	if mode == "" {
		return 0, false
	}
	path := os.Getenv(DBEnv)
	if path == "" {
		fmt.Fprintln(os.Stderr, "powerloss child: no", DBEnv)
		return 2, true
	}
	out := &lineWriter{w: os.Stdout}
	ctx := context.Background()
	var err error
	switch mode {
	case WriteBooth, WriteServer:
		if strings.EqualFold(os.Getenv(SyncEnv), "OFF") {
			if err := syncOff(ctx, out); err != nil {
				fmt.Fprintln(os.Stderr, "powerloss child:", err)
				return 2, true
			}
		}
		var seed uint64
		fmt.Sscan(os.Getenv(SeedEnv), &seed)
		if mode == WriteBooth {
			err = writeBooth(ctx, path, seed, out)
		} else {
			err = writeServer(ctx, path, seed, out)
		}
	case CheckBooth:
		err = check(ctx, path, true, out)
	case CheckServer:
		err = check(ctx, path, false, out)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "powerloss child:", err)
		return 1, true
	}
	return 0, true
}

// lineWriter writes whole lines to the parent, each at once (one write
// per line on the pipe), so a line the parent reads was printed whole.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", args...)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// syncOff makes every SQLite connection of this process run with
// synchronous=OFF. The store opens with synchronous(FULL) in its DSN and
// has no option against it (rightly); the driver's public connection hook
// runs after the DSN's pragmas, so it overrides them here, in this child
// only. It proves the switch took on a connection of its own.
func syncOff(ctx context.Context, out *lineWriter) error {
	sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
		_, err := c.ExecContext(context.Background(), `PRAGMA synchronous=OFF`, []driver.NamedValue{})
		return err
	})
	// A connection of its own, in memory: the hook is process-wide.
	db, err := sql.Open("sqlite", "file::memory:?_pragma=synchronous(FULL)")
	if err != nil {
		return err
	}
	defer db.Close()
	var level int
	if err := db.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&level); err != nil {
		return fmt.Errorf("read synchronous: %w", err)
	}
	if level != 0 {
		return fmt.Errorf("synchronous = %d after the hook, want 0 (OFF)", level)
	}
	out.printf("synchronous %d", level)
	return nil
}
