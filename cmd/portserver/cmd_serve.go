package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/portofentry/booth/cmd/internal/fileperm"
	"github.com/portofentry/booth/replication"
)

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("serve", stderr)
	db := fs.String("db", defaultDB, "server database")
	listen := fs.String("listen", ":8443", "address to listen on (host:port; port 0 picks a free one)")
	dir := fs.String("dir", defaultDir, "PKI directory with ca.crt, server.crt and server.key")
	port := fs.String("port", "", "port code; required for a new database (origin port-CODE)")
	retain := fs.Int64("feed-retain", 1_000_000, "feed versions served as deltas; a workstation further behind takes a snapshot (0 keeps all)")
	compact := fs.Duration("compact-every", time.Minute, "how often the feed floor is raised")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	fixPerms := fs.Bool("fix-permissions", false, "set the database, WAL, pepper and key files that others may access to 0600 instead of refusing to start")
	hubURL := fs.String("hub", "", "the hub's leaf URLs, comma-separated (tls://host:port): publish every event to the national tier (hub.go)")
	hubPKI := fs.String("hub-pki", "", "directory with the national ca.crt and port-CODE.crt/key (with --hub)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "serve: unexpected argument %q", fs.Arg(0))
	}
	log, err := logger(stderr, *level)
	if err != nil {
		return usageError(stderr, "serve: %v", err)
	}
	// Private files (perms.go) before anything reads or creates them.
	if err := checkServerFiles(*db, *dir, *fixPerms, func(s string) { log.Warn("permissions fixed: " + s) }); err != nil {
		return fail(stderr, fmt.Errorf("serve: %w", err))
	}
	if err := fileperm.MkdirPrivate(filepath.Dir(*db)); err != nil {
		return fail(stderr, fmt.Errorf("serve: database %s: %w", *db, err))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	tlsConf, err := replication.ServerTLSConfig(filepath.Join(*dir, replication.CACertFile),
		filepath.Join(*dir, replication.ServerCertFile), filepath.Join(*dir, replication.ServerKeyFile))
	if err != nil {
		return fail(stderr, fmt.Errorf("serve: %w (run `portserver pki init` and `pki issue --role server`)", err))
	}
	// The deny-list of revoked certificates (cmd_serve_revoke.go): checked
	// at every handshake and request, reloaded on SIGHUP and on change.
	revoked, err := loadRevocations(*dir, tlsConf, log)
	if err != nil {
		return fail(stderr, fmt.Errorf("serve: %w", err))
	}
	store, err := openServerStore(ctx, *db, *port, false, log)
	if err != nil {
		return fail(stderr, fmt.Errorf("serve: %w", err))
	}
	defer store.Close()
	srv, err := replication.NewServer(replication.ServerConfig{Store: store, Logger: log, FeedRetain: *retain, CompactEvery: *compact, Revocations: revoked.Revocations})
	if err != nil {
		return fail(stderr, err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fail(stderr, fmt.Errorf("serve: %w", err))
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		TLSConfig:         tlsConf,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		// Long-polls hold a response up to MaxFeedWait; large downloads
		// extend their own deadline.
		WriteTimeout: replication.MaxFeedWait + 30*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	// Scripts and tests read the bound address from this line.
	_ = json.NewEncoder(stdout).Encode(map[string]string{"listening": ln.Addr().String(), "origin": store.Origin()})
	log.Info("port server listening", "addr", ln.Addr().String(), "db", store.Path(), "origin", store.Origin())

	var wg sync.WaitGroup
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	var national *nationalTier
	if *hubURL != "" {
		if national, err = startNationalTier(runCtx, store, *hubURL, *hubPKI, log); err != nil {
			return fail(stderr, fmt.Errorf("serve: %w", err))
		}
		defer func() { cancelRun(); national.stop() }()
		// Booths' national history look-ups go to the hub through the leaf
		// node; without --hub they are answered "not configured" at once.
		srv.SetNational(national.history())
		// Publish each batch to the port stream as soon as it commits (the
		// publisher's own poll is only the fallback).
		srv.SetOnCommit(national.notify)
	}
	wg.Go(func() { _ = srv.Run(runCtx) })
	wg.Go(func() { watchRevocations(runCtx, revoked, log) })
	errc := make(chan error, 1)
	go func() { errc <- hs.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		cancelRun()
		wg.Wait()
		if !errors.Is(err, http.ErrServerClosed) {
			return fail(stderr, fmt.Errorf("serve: %w", err))
		}
		return 0
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	cancelRun()
	wg.Wait()
	return 0
}
