package replication

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client talks to the port server over mutual TLS.
type Client struct {
	base *url.URL
	http *http.Client
}

// NewClient returns a client for the server at baseURL (https://host:port)
// using tlsConf (see ClientTLSConfig).
func NewClient(baseURL string, tlsConf *tls.Config) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("replication: server URL %q: %w", baseURL, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("replication: server URL %q: want https://host:port (mutual TLS only)", baseURL)
	}
	if tlsConf == nil {
		return nil, errors.New("replication: client: no TLS configuration")
	}
	tr := &http.Transport{
		TLSClientConfig:     tlsConf.Clone(),
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 15 * time.Second}).DialContext,
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		// HTTP/1.1: a batch answer is the first byte the server sends after the
		// request, which keeps the exchange simple to reason about (and to
		// fault-inject); the feed long-poll takes its own connection.
		ForceAttemptHTTP2: false,
	}
	return &Client{base: u, http: &http.Client{Transport: tr}}, nil
}

// CloseIdle closes idle connections (after a failure, so the next attempt
// dials afresh instead of reusing a half-dead connection).
func (c *Client) CloseIdle() { c.http.CloseIdleConnections() }

// StatusError is a non-2xx answer of the server.
type StatusError struct {
	Status int
	Body   ErrorResponse
}

func (e *StatusError) Error() string {
	if e.Body.Message != "" {
		return fmt.Sprintf("port server answered %d %s: %s", e.Status, e.Body.Error, e.Body.Message)
	}
	return fmt.Sprintf("port server answered %d %s", e.Status, http.StatusText(e.Status))
}

// maxResponse bounds a JSON answer read into memory.
const maxResponse = 256 << 20

// do sends one request and decodes a 2xx JSON answer into out. A non-2xx
// answer is a *StatusError; anything else (dial, TLS, timeout, truncated
// body) is a transport error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	req, err := c.newRequest(ctx, method, path, query, in)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return err
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, in any) (*http.Request, error) {
	u := c.base.JoinPath(path)
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		// No HTML escaping: audit details are hashed byte for byte and
		// must arrive exactly as stored.
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(in); err != nil {
			return nil, fmt.Errorf("%s %s: encode: %w", method, path, err)
		}
		body = &b
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// checkStatus turns a non-2xx answer into a *StatusError.
func checkStatus(resp *http.Response) error {
	if resp.StatusCode/100 == 2 {
		return nil
	}
	se := &StatusError{Status: resp.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err := json.Unmarshal(raw, &se.Body); err != nil {
		se.Body = ErrorResponse{Message: strings.TrimSpace(string(raw))}
	}
	return se
}

// SendBatch posts a batch of the workstation's own events.
func (c *Client) SendBatch(ctx context.Context, req BatchRequest) (BatchResponse, error) {
	var resp BatchResponse
	err := c.do(ctx, http.MethodPost, PathEvents, nil, req, &resp)
	return resp, err
}

// SendAudit posts entries of the workstation's own audit chain.
func (c *Client) SendAudit(ctx context.Context, req AuditRequest) (AuditResponse, error) {
	var resp AuditResponse
	err := c.do(ctx, http.MethodPost, PathAudit, nil, req, &resp)
	return resp, err
}

// Feed long-polls the feed after version after for up to wait.
func (c *Client) Feed(ctx context.Context, after int64, wait time.Duration, limit int) (FeedResponse, error) {
	q := url.Values{"after": {fmt.Sprint(after)}}
	if wait > 0 {
		q.Set("wait", wait.String())
	}
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	var resp FeedResponse
	err := c.do(ctx, http.MethodGet, PathFeed, q, nil, &resp)
	return resp, err
}

// Reference fetches a published reference file and checks its digest.
func (c *Client) Reference(ctx context.Context, kind string, version int64, wantSHA256 string, maxBytes int64) ([]byte, error) {
	path := fmt.Sprintf("%s%s/%d", PathReference, url.PathEscape(kind), version)
	resp, err := c.getOK(ctx, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("GET %s: reference file over %d bytes", path, maxBytes)
	}
	if got := sha256Hex(body); wantSHA256 != "" && got != wantSHA256 {
		return nil, fmt.Errorf("GET %s: digest %s, want %s (transfer damaged)", path, got, wantSHA256)
	}
	return body, nil
}

// Get fetches path and returns the body (for /healthz and /metrics).
func (c *Client) Get(ctx context.Context, path string) ([]byte, error) {
	resp, err := c.getOK(ctx, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, maxResponse))
}

// getOK sends GET path and returns the response when its status is a
// success (checkStatus's error otherwise); the caller closes the body.
func (c *Client) getOK(ctx context.Context, path string) (*http.Response, error) {
	req, err := c.newRequest(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if err := checkStatus(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}
