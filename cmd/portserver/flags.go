package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/portofentry/booth/sqlitestore"
)

// Defaults shared by the commands.
const (
	defaultDB  = "portserver.db"
	defaultDir = "pki"
)

// newFlags returns a flag set that reports to stderr and does not exit.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("portserver "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (`import lookouts FILE --db x`) and returns the
// positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// logger builds the process logger (to stderr) at the named level.
func logger(stderr io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: l})), nil
}

// openServerStore opens the server's database. A writer needs the origin:
// port-CODE from --port, or the one the database was created with. A
// database, side file or port pepper others may access is refused
// (perms.go).
func openServerStore(ctx context.Context, path, port string, readOnly bool, log *slog.Logger) (*sqlitestore.Store, error) {
	if err := checkServerFiles(path, "", false, nil); err != nil { // perms.go
		return nil, err
	}
	if readOnly {
		return sqlitestore.Open(ctx, path, sqlitestore.Options{ReadOnly: true, Logger: log})
	}
	origin := ""
	if port != "" {
		origin = "port-" + port
	} else if _, err := os.Stat(path); err == nil {
		ro, err := sqlitestore.Open(ctx, path, sqlitestore.Options{ReadOnly: true, Logger: log})
		if err != nil {
			return nil, err
		}
		origin, err = ro.Owner(ctx)
		ro.Close()
		if err != nil {
			return nil, err
		}
	}
	if origin == "" {
		return nil, errors.New("--port CODE is required to create a new server database (its events' origin is port-CODE)")
	}
	if !strings.HasPrefix(origin, "port-") {
		return nil, fmt.Errorf("database %s belongs to workstation %q, not to a port server", path, origin)
	}
	return sqlitestore.Open(ctx, path, sqlitestore.Options{Origin: origin, Logger: log})
}
