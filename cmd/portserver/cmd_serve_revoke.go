package main

import (
	"context"
	"crypto/tls"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/portofentry/booth/replication"
)

// loadRevocations reads the PKI directory's deny-list (replication.RevokedFile)
// and makes conf refuse its serials at the handshake. A damaged list stops
// the server from starting: running without it would let revoked
// certificates in.
//
// SIGHUP is taken over here, before the server announces itself, so a
// SIGHUP sent as soon as the listening line is out never kills the process.
func loadRevocations(dir string, conf *tls.Config, log *slog.Logger) (*revocationWatch, error) {
	r, err := replication.LoadRevocations(filepath.Join(dir, replication.RevokedFile), log)
	if err != nil {
		return nil, err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	replication.RefuseRevoked(conf, r)
	n, _ := r.Reload()
	log.Info("revocation list loaded", "path", r.Path(), "serials", n)
	return &revocationWatch{Revocations: r, hup: hup}, nil
}

// revocationWatch is the deny-list with the SIGHUP channel that reloads it.
type revocationWatch struct {
	*replication.Revocations
	hup chan os.Signal
}

// watchRevocations reloads the deny-list on SIGHUP and when the file
// changes (polled every second), until ctx ends.
func watchRevocations(ctx context.Context, r *revocationWatch, log *slog.Logger) {
	defer signal.Stop(r.hup)
	done := make(chan struct{})
	go func() { defer close(done); r.Watch(ctx, time.Second) }()
	defer func() { <-done }()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.hup:
			n, err := r.Reload()
			if err != nil {
				log.Error("SIGHUP: revocation list cannot be read; the previous list stays in force", "path", r.Path(), "err", err)
				continue
			}
			log.Info("revocation list reloaded", "path", r.Path(), "serials", n, "by", "SIGHUP")
		}
	}
}
