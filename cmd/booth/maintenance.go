package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/portofentry/booth/cmd/internal/actions"
	"github.com/portofentry/booth/sqlitestore"
)

// storeFlags are the flags every maintenance command (officer, audit,
// retention) uses to find the workstation's database.
type storeFlags struct {
	config string
	db     string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "workstation configuration file (gives the database and the workstation id)")
	fs.StringVar(&f.db, "db", "", "database file (default: the configuration's database)")
}

// resolve loads the configuration and applies --db over it.
func (f *storeFlags) resolve() (Config, error) {
	cfg, err := loadConfig(f.config)
	if err != nil {
		return cfg, err
	}
	if f.db != "" {
		cfg.Database = f.db
	}
	return cfg, nil
}

// openMaintenanceStore opens the workstation's database for a maintenance
// command, logging only warnings and errors to stderr so that stdout stays
// the command's output. readOnly opens it without a workstation id (and
// without creating or migrating it).
func openMaintenanceStore(ctx context.Context, cfg Config, readOnly bool, stderr io.Writer) (*sqlitestore.Store, error) {
	// The same private-file rule as at start (perms.go): a database or
	// pepper others may read is refused, and a new one is made 0600.
	if err := checkPrivateFiles(privateFiles(Config{Database: cfg.Database}), false, nil); err != nil {
		return nil, err
	}
	if !readOnly {
		if err := createPrivate(cfg.Database); err != nil {
			return nil, err
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := sqlitestore.Options{Origin: cfg.Workstation, ReadOnly: readOnly, Logger: log}
	if readOnly {
		opts.Origin = ""
	}
	s, err := sqlitestore.Open(ctx, cfg.Database, opts)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", cfg.Database, err)
	}
	return s, nil
}

// runActions dispatches `booth NAME ACTION ...` to the action's function;
// -h prints usage. A missing or unknown action is a usage error listing them.
func runActions(name, usage string, args []string, stdout, stderr io.Writer, table map[string]func(args []string) int) int {
	return actions.Run("booth", name, usage, args, stdout, stderr, table)
}

// maintenanceFlags is the flag set of one maintenance command (`booth
// officer add`, `booth audit verify`, ...): its usage text, then the flags,
// with the database flags registered.
func maintenanceFlags(name, usage string, stderr io.Writer) (*flag.FlagSet, *storeFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	var sf storeFlags
	sf.register(fs)
	return fs, &sf
}

// parseMaintenanceFlags parses args; when ok is false the command ends with
// code (0 after -h, 2 on a bad flag or a stray argument, explained by hint).
func parseMaintenanceFlags(fs *flag.FlagSet, args []string, stderr io.Writer, hint string) (ok bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, 0
		}
		return false, 2
	}
	if fs.NArg() > 0 {
		return false, usageError(stderr, "%s: unexpected argument %q%s", strings.TrimPrefix(fs.Name(), "booth "), fs.Arg(0), hint)
	}
	return true, 0
}

// failf reports a runtime failure and returns exit code 1.
func failf(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "booth: "+format+"\n", a...)
	return 1
}
