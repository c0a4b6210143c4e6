// Package facematch is the client of the port's local face matcher (DESIGN
// §3): it asks whether the live capture at a lane matches a travel document,
// and fetches the live capture and the photo on file for display.
//
// Verify never fails and never takes longer than its budget: a timeout, a
// transport error, an HTTP error or an answer that makes no sense all become
// records.FaceUnavailable, which tells the officer to verify manually. A face
// result never decides a crossing by itself.
package facematch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for Options.
const (
	DefaultBudget        = 1500 * time.Millisecond
	DefaultImageTimeout  = 5 * time.Second
	DefaultMaxImageBytes = 4 << 20
	DefaultMaxCaptureAge = 2 * time.Minute
)

// maxVerifyBody bounds the matcher's JSON answer; a real one is ~200 bytes.
const maxVerifyBody = 64 << 10

// Errors of Capture and Gallery.
var (
	ErrNotFound   = errors.New("facematch: not found")
	ErrTooLarge   = errors.New("facematch: answer too large")
	ErrNotPNG     = errors.New("facematch: not a PNG image")
	ErrBadRequest = errors.New("facematch: invalid argument")
)

// Options configure a Client. Zero values take the defaults above.
type Options struct {
	// HTTPClient sends the requests (e.g. one trusting the port's CA). Its
	// own Timeout, if any, still applies; the budgets below are enforced
	// through the request context either way.
	HTTPClient *http.Client
	// Budget bounds a whole Verify call.
	Budget time.Duration
	// ImageTimeout bounds a whole Capture or Gallery call.
	ImageTimeout time.Duration
	// MaxImageBytes bounds an image body.
	MaxImageBytes int64
	// MaxCaptureAge is how old (or how far in the future) captured_at may be.
	// An older capture may show the previous traveller, so the answer is
	// treated as unavailable.
	MaxCaptureAge time.Duration
	// Logger receives a warning for every unavailable verification. Default
	// slog.Default().
	Logger *slog.Logger
}

// Client talks to one face matcher. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	urlErr error
	http   *http.Client
	opts   Options
	log    *slog.Logger
}

// New returns a client for the matcher at baseURL (e.g.
// "https://matcher.port.local:8443"). A malformed URL is not reported here:
// every call then fails (Verify with an unavailable result naming it).
func New(baseURL string, opts Options) *Client {
	if opts.Budget <= 0 {
		opts.Budget = DefaultBudget
	}
	if opts.ImageTimeout <= 0 {
		opts.ImageTimeout = DefaultImageTimeout
	}
	if opts.MaxImageBytes <= 0 {
		opts.MaxImageBytes = DefaultMaxImageBytes
	}
	if opts.MaxCaptureAge <= 0 {
		opts.MaxCaptureAge = DefaultMaxCaptureAge
	}
	c := &Client{http: opts.HTTPClient, opts: opts, log: opts.Logger}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		// %v, not %w: a *url.Error here is a configuration mistake, not a
		// transport failure, and describe tells the two apart by type.
		c.urlErr = fmt.Errorf("facematch: matcher URL %q: %v", baseURL, err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		c.urlErr = fmt.Errorf("facematch: matcher URL %q: want http(s)://host[:port]", baseURL)
	default:
		c.base = u
	}
	return c
}

// endpoint joins already-escaped path segments to the base URL.
func (c *Client) endpoint(escaped ...string) (string, error) {
	if c.urlErr != nil {
		return "", c.urlErr
	}
	return c.base.JoinPath(escaped...).String(), nil
}

// do sends req and reads at most limit bytes of a 2xx body. A longer body is
// ErrTooLarge; a 404 is ErrNotFound; any other non-2xx is an error naming
// the status.
func (c *Client) do(req *http.Request, limit int64) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, ErrNotFound
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("matcher answered HTTP %s", resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return body, nil
}

// describe turns a request error into words for an officer or technician.
func describe(err error, budget time.Duration) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer within %s", budget)
	case errors.Is(err, context.Canceled):
		return "request cancelled"
	case errors.Is(err, ErrNotFound):
		return "matcher answered HTTP 404 Not Found"
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return "cannot reach the matcher: " + uerr.Err.Error()
	}
	return err.Error()
}
