package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore/biometric"
)

// bioClient forwards captures to the biometric system over HTTPS with
// mutual TLS (POST /v1/captures; the simulator's is
// hardware/simulator/biometric_service.go).
type bioClient struct {
	url  string
	http *http.Client
}

// maxBioAnswer bounds the service's answer.
const maxBioAnswer = 64 << 10

func newBioClient(url string, conf *tls.Config, timeout time.Duration) *bioClient {
	return &bioClient{url: strings.TrimRight(url, "/"), http: &http.Client{Timeout: timeout,
		Transport: &http.Transport{TLSClientConfig: conf, ForceAttemptHTTP2: true, MaxIdleConns: 2, IdleConnTimeout: time.Minute}}}
}

type bioForwardBody struct {
	CaptureID  string              `json:"capture_id"`
	CrossingID string              `json:"crossing_id"`
	Document   records.DocumentRef `json:"document"`
	CapturedAt time.Time           `json:"captured_at"`
	PNG        []byte              `json:"png"`
}

// Forward sends one capture and returns the reference the service gave it.
func (c *bioClient) Forward(ctx context.Context, req biometric.ForwardRequest) (string, error) {
	body, err := json.Marshal(bioForwardBody{CaptureID: req.CaptureID, CrossingID: req.CrossingID, Document: req.Document,
		CapturedAt: req.CapturedAt.UTC(), PNG: req.PNG})
	if err != nil {
		return "", fmt.Errorf("biometric service: encode: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/v1/captures", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("biometric service: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(hr)
	if err != nil {
		return "", fmt.Errorf("biometric service: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBioAnswer+1))
	if err != nil {
		return "", fmt.Errorf("biometric service: read answer: %w", err)
	}
	if len(raw) > maxBioAnswer {
		return "", fmt.Errorf("biometric service: answer over %d bytes", maxBioAnswer)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("biometric service: %s: %.200q", resp.Status, raw)
	}
	var ans struct {
		Reference string `json:"reference"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || strings.TrimSpace(ans.Reference) == "" {
		return "", fmt.Errorf("biometric service: answer without a reference: %.200q", raw)
	}
	return ans.Reference, nil
}

// newForwarder returns the client for cfg's [biometric_service], or nil
// when no URL is configured. It authenticates with the workstation's port
// certificate.
func newForwarder(cfg Config) (biometric.Forwarder, error) {
	b := cfg.Biometric
	if b.URL == "" {
		return nil, nil
	}
	ca := b.CA
	if ca == "" {
		ca = cfg.PortServer.CA
	}
	if ca == "" || cfg.PortServer.Cert == "" || cfg.PortServer.Key == "" {
		return nil, fmt.Errorf("biometric_service.url is set: it needs biometric_service.ca (or port_server.ca) and port_server.cert and key for mutual TLS")
	}
	conf, err := replication.ClientTLSConfig(ca, cfg.PortServer.Cert, cfg.PortServer.Key)
	if err != nil {
		return nil, fmt.Errorf("biometric service: %w", err)
	}
	return newBioClient(b.URL, conf, b.Timeout.Duration), nil
}

// forwardLoop sends due captures every interval until ctx ends.
func forwardLoop(ctx context.Context, bio *biometric.Store, fw biometric.Forwarder, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		run, err := bio.ForwardDue(ctx, time.Now(), fw)
		if err != nil && ctx.Err() == nil {
			logger.Error("biometric forward", "err", err)
		}
		if len(run.Forwarded) > 0 || run.Failed > 0 {
			logger.Info("biometric forward", "forwarded", len(run.Forwarded), "failed", run.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
