package simulator

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The simulated biometric system: where a booth forwards a non-citizen's
// face capture (docs/retention.md). HTTPS with mutual TLS only: the caller
// gives the server certificate and the CA that client certificates must
// chain to.
//
//	POST /v1/captures   {"capture_id","crossing_id","document":{"type","country","number"},
//	                     "captured_at","png" (base64)}
//	-> 201 {"reference":"BIO-…"}   (200 with the same reference when capture_id was taken before)
//	-> 400 bad body, 401 no client certificate, 413 over the size limit, 503 when told to fail

// MaxBiometricBody bounds one forward (an 8 MiB image in base64 and its fields).
const MaxBiometricBody = 12 << 20

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// BiometricForward is the body of POST /v1/captures.
type BiometricForward struct {
	CaptureID  string `json:"capture_id"`
	CrossingID string `json:"crossing_id"`
	Document   struct {
		Type    string `json:"type"`
		Country string `json:"country"`
		Number  string `json:"number"`
	} `json:"document"`
	CapturedAt time.Time `json:"captured_at"`
	PNG        []byte    `json:"png"`
}

// BiometricAnswer is the service's answer.
type BiometricAnswer struct {
	Reference string `json:"reference"`
}

// BiometricServiceOptions configures StartBiometricService.
type BiometricServiceOptions struct {
	// Addr to listen on; default 127.0.0.1:0.
	Addr string
	// TLS must hold the server certificate and ClientCAs; client
	// certificates are required and verified.
	TLS    *tls.Config
	Logger *slog.Logger
}

// BiometricService is a running simulated biometric system.
type BiometricService struct {
	url string
	srv *http.Server
	log *slog.Logger
	wg  sync.WaitGroup

	mu       sync.Mutex
	refs     map[string]string // capture id -> reference
	images   map[string]int    // capture id -> image size
	failNext int
	seq      int
}

// StartBiometricService serves the simulated biometric system until Close
// or ctx ends.
func StartBiometricService(ctx context.Context, opts BiometricServiceOptions) (*BiometricService, error) {
	if opts.TLS == nil || len(opts.TLS.Certificates) == 0 && opts.TLS.GetCertificate == nil || opts.TLS.ClientCAs == nil {
		return nil, errors.New("simulator: biometric service: a server certificate and a client CA are required (mutual TLS)")
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	conf := opts.TLS.Clone()
	conf.ClientAuth = tls.RequireAndVerifyClientCert
	if conf.MinVersion < tls.VersionTLS12 {
		conf.MinVersion = tls.VersionTLS12
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("simulator: biometric service listen: %w", err)
	}
	s := &BiometricService{url: "https://" + ln.Addr().String(), log: log.With("device", "biometric"),
		refs: map[string]string{}, images: map[string]int{}}
	s.srv = &http.Server{Handler: s.Handler(), TLSConfig: conf, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	s.wg.Go(func() {
		if err := s.srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("biometric service stopped", "err", err)
		}
	})
	context.AfterFunc(ctx, func() { _ = s.Close() })
	return s, nil
}

// URL is the service's base URL (https://host:port).
func (s *BiometricService) URL() string { return s.url }

// Close stops the service.
func (s *BiometricService) Close() error {
	err := s.srv.Close()
	s.wg.Wait()
	return err
}

// FailNext makes the next n forwards answer 503 (tests of retry).
func (s *BiometricService) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// Reference returns the reference given to capture id, if it was taken.
func (s *BiometricService) Reference(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, ok := s.refs[id]
	return ref, ok
}

// Handler is the service's HTTP API (without TLS: callers that serve it
// themselves must require client certificates).
func (s *BiometricService) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/captures", s.take)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	return mux
}

func (s *BiometricService) take(w http.ResponseWriter, r *http.Request) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		writeError(w, http.StatusUnauthorized, "a client certificate is required")
		return
	}
	var req BiometricForward
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBiometricBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body over the size limit")
			return
		}
		writeError(w, http.StatusBadRequest, "body is not a capture forward: "+err.Error())
		return
	}
	if strings.TrimSpace(req.CaptureID) == "" || len(req.CaptureID) > 128 || strings.TrimSpace(req.CrossingID) == "" || !bytes.HasPrefix(req.PNG, pngMagic) {
		writeError(w, http.StatusBadRequest, "capture_id, crossing_id and a PNG image are required")
		return
	}
	s.mu.Lock()
	if s.failNext > 0 {
		s.failNext--
		s.mu.Unlock()
		writeError(w, http.StatusServiceUnavailable, "biometric system busy (simulated)")
		return
	}
	ref, seen := s.refs[req.CaptureID]
	if !seen {
		s.seq++
		ref = fmt.Sprintf("BIO-%06d", s.seq)
		s.refs[req.CaptureID] = ref
		s.images[req.CaptureID] = len(req.PNG)
	}
	s.mu.Unlock()
	s.log.Info("capture taken", "capture", req.CaptureID, "reference", ref, "again", seen, "client", r.TLS.PeerCertificates[0].Subject.CommonName)
	status := http.StatusCreated
	if seen {
		status = http.StatusOK
	}
	writeJSON(w, status, BiometricAnswer{Reference: ref})
}
