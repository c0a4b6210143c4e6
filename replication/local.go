package replication

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Local is a port server running inside the calling process on loopback,
// with its own throw-away PKI: what `booth --demo` uses so that one machine
// runs the whole system, and what tests use when one process is enough.
type Local struct {
	URL    string // https://127.0.0.1:PORT
	Dir    string // the PKI directory
	Server *Server

	mu     sync.Mutex
	hs     *http.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// StartLocal creates a CA and server certificate in dir (which must be
// empty or missing) and serves store on 127.0.0.1 on a free port until
// Close. store is the port server's database (origin "port-<code>").
func StartLocal(ctx context.Context, store ServerStore, dir string, log *slog.Logger) (*Local, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := InitCA(dir, "local"); err != nil {
		return nil, fmt.Errorf("replication: local server: %w", err)
	}
	if _, _, err := Issue(dir, IssueRequest{Role: RoleServer}); err != nil {
		return nil, fmt.Errorf("replication: local server: %w", err)
	}
	tlsConf, err := ServerTLSConfig(filepath.Join(dir, CACertFile), filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile))
	if err != nil {
		return nil, fmt.Errorf("replication: local server: %w", err)
	}
	srv, err := NewServer(ServerConfig{Store: store, Logger: log})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("replication: local server: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	l := &Local{URL: "https://" + ln.Addr().String(), Dir: dir, Server: srv, cancel: cancel,
		hs: &http.Server{Handler: srv.Handler(), TLSConfig: tlsConf, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}}
	l.wg.Go(func() { _ = srv.Run(runCtx) })
	l.wg.Go(func() {
		if err := l.hs.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("local port server stopped", "err", err)
		}
	})
	return l, nil
}

// ClientTLS returns a workstation's TLS configuration, issuing its
// certificate on first use.
func (l *Local) ClientTLS(role, workstation string) (*tls.Config, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	crt, key := filepath.Join(l.Dir, workstation+".crt"), filepath.Join(l.Dir, workstation+".key")
	if _, err := os.Stat(crt); err != nil {
		if _, _, err := Issue(l.Dir, IssueRequest{Role: role, Workstation: workstation}); err != nil {
			return nil, err
		}
	}
	return ClientTLSConfig(filepath.Join(l.Dir, CACertFile), crt, key)
}

// Client returns a client for workstation in role.
func (l *Local) Client(role, workstation string) (*Client, error) {
	conf, err := l.ClientTLS(role, workstation)
	if err != nil {
		return nil, err
	}
	return NewClient(l.URL, conf)
}

// Close stops the server and waits for it.
func (l *Local) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := l.hs.Shutdown(ctx)
	if err != nil {
		err = l.hs.Close()
	}
	l.cancel()
	l.wg.Wait()
	return err
}
