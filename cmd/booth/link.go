package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// portClient returns the mutual-TLS client for the configured port server,
// nil when none is configured (the booth then works offline only).
func portClient(cfg Config) (*replication.Client, error) {
	ps := cfg.PortServer
	if ps.URL == "" {
		return nil, nil
	}
	tlsConf, err := replication.ClientTLSConfig(ps.CA, ps.Cert, ps.Key)
	if err != nil {
		return nil, fmt.Errorf("port server certificates: %w", err)
	}
	c, err := replication.NewClient(ps.URL, tlsConf)
	if err != nil {
		return nil, fmt.Errorf("port server: %w", err)
	}
	return c, nil
}

// newLink builds the booth's replication link: the outbox sender up and the
// port feed puller down, both on the writable store.
func newLink(store *sqlitestore.Store, client *replication.Client, logger *slog.Logger) (*replication.Link, error) {
	link, err := replication.NewLink(replication.LinkConfig{
		Sender: &replication.SenderConfig{Store: store, Client: client, Logger: logger},
		Puller: &replication.PullerConfig{Store: store, Client: client, Logger: logger},
	})
	if err != nil {
		return nil, fmt.Errorf("port server link: %w", err)
	}
	return link, nil
}

// linkText words the link's state for the header: the state, and why when
// something is wrong. The backlog and its age are added by the TUI.
func linkText(st replication.Status) string {
	switch st.State {
	case replication.StateOnline:
		return "online"
	case replication.StateError:
		if st.HeldReason != "" {
			return "⚠ error: " + st.HeldReason
		}
		return "⚠ error: " + st.LastError
	}
	if !st.LastOK.IsZero() {
		return "offline since " + st.LastOK.Local().Format("15:04")
	}
	return "offline"
}

// startDemoPortServer runs an in-process port server for `booth --demo`
// with its own database and a throw-away PKI in the demo directory, and
// returns a client certificate for this workstation.
func startDemoPortServer(ctx context.Context, dir, workstation, role string, logger *slog.Logger) (*replication.Client, func(), error) {
	local, stop, err := openDemoPortServer(ctx, dir, logger)
	if err != nil {
		return nil, nil, err
	}
	client, err := local.Client(role, workstation)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("demo port server client: %w", err)
	}
	return client, stop, nil
}

// openDemoPortServer opens the demo port server's database in dir, seeded
// with the demo's port accounts, and serves it in process over mutual TLS
// with a throw-away PKI in dir; stop closes the server and the database.
// Every demo role's port server starts here.
func openDemoPortServer(ctx context.Context, dir string, logger *slog.Logger) (local *replication.Local, stop func(), err error) {
	srvStore, err := sqlitestore.Open(ctx, filepath.Join(dir, "portserver.db"), sqlitestore.Options{Origin: "port-2608", Logger: logger})
	if err != nil {
		return nil, nil, fmt.Errorf("demo port server database: %w", err)
	}
	if err := seedDemoPortAccounts(ctx, srvStore); err != nil {
		srvStore.Close()
		return nil, nil, err
	}
	local, err = replication.StartLocal(ctx, srvStore, filepath.Join(dir, "pki"), logger)
	if err != nil {
		srvStore.Close()
		return nil, nil, fmt.Errorf("demo port server: %w", err)
	}
	return local, func() {
		local.Close()
		srvStore.Close()
	}, nil
}
