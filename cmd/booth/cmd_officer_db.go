package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

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

// failf reports a runtime failure and returns exit code 1.
func failf(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "booth: "+format+"\n", a...)
	return 1
}
