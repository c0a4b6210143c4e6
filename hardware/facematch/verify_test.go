package facematch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

var doc = records.DocumentRef{Type: "P", Country: "UTO", Number: "L898902C3"}

// quiet keeps expected warnings out of the test output.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// matcher is a real HTTP(S) server on loopback answering /v1/verify with
// answer, recording what it was asked.
type matcher struct {
	srv      *httptest.Server
	requests atomic.Int32
	lastBody atomic.Value // verifyRequest
}

func newMatcher(t *testing.T, tls bool, answer http.HandlerFunc) *matcher {
	t.Helper()
	m := &matcher{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.requests.Add(1)
		if r.URL.Path == "/v1/verify" {
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
				http.Error(w, "bad method or type", http.StatusBadRequest)
				return
			}
			var req verifyRequest
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			m.lastBody.Store(req)
		}
		answer(w, r)
	})
	m.srv = httptest.NewUnstartedServer(h)
	m.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // expected TLS handshake failures
	if tls {
		m.srv.StartTLS()
	} else {
		m.srv.Start()
	}
	t.Cleanup(m.srv.Close)
	return m
}

func (m *matcher) client(opts Options) *Client {
	opts.HTTPClient = m.srv.Client()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	return New(m.srv.URL, opts)
}

// reply answers with a fixed status and body.
func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestVerifyAnswers(t *testing.T) {
	captured := time.Now().Add(-3 * time.Second).UTC().Truncate(time.Millisecond)
	tests := []struct {
		name string
		body string
		want Verification
	}{
		{
			name: "match",
			body: fmt.Sprintf(`{"result":"match","score":0.93,"threshold":0.80,"capture_id":"cap-42","captured_at":%q,"extra":1}`, captured.Format(time.RFC3339Nano)),
			want: Verification{Result: records.FaceMatch, Score: 0.93, Threshold: 0.8, CaptureID: "cap-42", CapturedAt: captured},
		},
		{
			name: "no match",
			body: `{"result":"no_match","score":0.41,"threshold":0.80,"capture_id":"cap-43"}`,
			want: Verification{Result: records.FaceNoMatch, Score: 0.41, Threshold: 0.8, CaptureID: "cap-43"},
		},
		{
			name: "no face, no score",
			body: `{"result":"no_face","capture_id":"cap-44"}`,
			want: Verification{Result: records.FaceNoFace, CaptureID: "cap-44"},
		},
		{
			name: "not enrolled",
			body: `{"result":"not_enrolled","score":0,"threshold":0.8}`,
			want: Verification{Result: records.FaceNotEnrolled, Threshold: 0.8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatcher(t, true, reply(http.StatusOK, tt.body))
			got := m.client(Options{}).Verify(context.Background(), "lane3", doc)
			if !got.CapturedAt.Equal(tt.want.CapturedAt) {
				t.Errorf("captured at %v, want %v", got.CapturedAt, tt.want.CapturedAt)
			}
			got.CapturedAt = tt.want.CapturedAt
			if got != tt.want {
				t.Errorf("verification = %+v\nwant           %+v", got, tt.want)
			}
			req, _ := m.lastBody.Load().(verifyRequest)
			if req.Lane != "lane3" || req.Document.Number != doc.Number || req.Document.Country != doc.Country {
				t.Errorf("matcher was asked %+v", req)
			}
		})
	}
}

func TestVerifyUnavailable(t *testing.T) {
	stale := time.Now().Add(-10 * time.Minute).UTC().Format(time.RFC3339)
	tests := []struct {
		name    string
		answer  http.HandlerFunc
		wantWhy string
	}{
		{"server error", reply(http.StatusInternalServerError, `{"error":"gpu on fire"}`), "HTTP 500"},
		{"not found", reply(http.StatusNotFound, ``), "404"},
		{"garbage", reply(http.StatusOK, "\x00\x01<html>oops"), "unreadable answer"},
		{"truncated JSON", reply(http.StatusOK, `{"result":"match","score":0.9`), "unreadable answer"},
		{"two objects", reply(http.StatusOK, `{"result":"no_face"}{"result":"match"}`), "unreadable answer"},
		{"empty body", reply(http.StatusOK, ``), "unreadable answer"},
		{"no result", reply(http.StatusOK, `{"score":0.9,"threshold":0.8}`), "no result"},
		{"unknown result", reply(http.StatusOK, `{"result":"probably","score":0.9,"threshold":0.8}`), `unknown result "probably"`},
		{"unavailable is ours", reply(http.StatusOK, `{"result":"unavailable"}`), "unknown result"},
		{"score above 1", reply(http.StatusOK, `{"result":"match","score":1.5,"threshold":0.8}`), "score 1.5 outside 0-1"},
		{"negative threshold", reply(http.StatusOK, `{"result":"no_match","score":0.5,"threshold":-0.1}`), "threshold -0.1 outside 0-1"},
		{"score as string", reply(http.StatusOK, `{"result":"match","score":"0.9","threshold":0.8}`), "unreadable answer"},
		{"match without score", reply(http.StatusOK, `{"result":"match"}`), "without score"},
		{"match below threshold", reply(http.StatusOK, `{"result":"match","score":0.3,"threshold":0.8}`), "below threshold"},
		{"no_match above threshold", reply(http.StatusOK, `{"result":"no_match","score":0.95,"threshold":0.8}`), "above threshold"},
		{"bad captured_at", reply(http.StatusOK, `{"result":"no_face","captured_at":"yesterday"}`), "not an RFC 3339 time"},
		{"stale capture", reply(http.StatusOK, `{"result":"match","score":0.9,"threshold":0.8,"captured_at":"`+stale+`"}`), "may not be this traveller"},
		{"bad capture id", reply(http.StatusOK, `{"result":"no_face","capture_id":"../../etc/passwd"}`), "capture_id"},
		{"huge body", reply(http.StatusOK, `{"result":"no_face","pad":"`+strings.Repeat("x", 100<<10)+`"}`), "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatcher(t, true, tt.answer)
			got := m.client(Options{}).Verify(context.Background(), "lane3", doc)
			checkUnavailable(t, got, tt.wantWhy)
		})
	}
}

func checkUnavailable(t *testing.T, got Verification, why string) {
	t.Helper()
	if got.Result != records.FaceUnavailable {
		t.Fatalf("result = %q (%+v), want unavailable", got.Result, got)
	}
	if !strings.HasPrefix(got.Detail, "face matcher unavailable — verify manually: ") || !strings.Contains(got.Detail, why) {
		t.Errorf("detail = %q, want it to mention %q", got.Detail, why)
	}
	if got.Score != 0 || got.Threshold != 0 || got.CaptureID != "" || !got.CapturedAt.IsZero() {
		t.Errorf("unavailable carries data: %+v", got)
	}
}

func TestVerifyWithinBudget(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slowHeaders := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	slowBody := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"result":"match",`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	for name, h := range map[string]http.HandlerFunc{"slow headers": slowHeaders, "slow body": slowBody} {
		t.Run(name, func(t *testing.T) {
			m := newMatcher(t, false, h)
			budget := 150 * time.Millisecond
			start := time.Now()
			got := m.client(Options{Budget: budget}).Verify(context.Background(), "lane3", doc)
			elapsed := time.Since(start)
			checkUnavailable(t, got, "no answer within 150ms")
			// Generous bound: this guards the contract (no hang past the
			// budget), it is not a speed measurement.
			if elapsed > budget+time.Second {
				t.Errorf("Verify took %s with a %s budget", elapsed, budget)
			}
		})
	}
}

func TestVerifyDefaultBudget(t *testing.T) {
	if c := New("http://127.0.0.1:1", Options{}); c.opts.Budget != 1500*time.Millisecond {
		t.Errorf("default budget = %s", c.opts.Budget)
	}
}

func TestVerifyNoRequestForBadInput(t *testing.T) {
	m := newMatcher(t, false, reply(http.StatusOK, `{"result":"match","score":0.9,"threshold":0.8}`))
	c := m.client(Options{})
	checkUnavailable(t, c.Verify(context.Background(), "", doc), "no lane")
	checkUnavailable(t, c.Verify(context.Background(), "lane3", records.DocumentRef{Country: "UTO"}), "no document")
	if n := m.requests.Load(); n != 0 {
		t.Errorf("matcher got %d requests", n)
	}
}

func TestVerifyTransportErrors(t *testing.T) {
	m := newMatcher(t, false, reply(http.StatusOK, `{}`))
	url := m.srv.URL
	m.srv.Close()
	checkUnavailable(t, New(url, Options{Logger: quiet}).Verify(context.Background(), "lane3", doc), "cannot reach the matcher")

	for _, bad := range []string{"", "matcher:8443", "ftp://host/", "http://[::1"} {
		checkUnavailable(t, New(bad, Options{Logger: quiet}).Verify(context.Background(), "lane3", doc), "matcher URL")
	}

	// A TLS server the client does not trust.
	tlsm := newMatcher(t, true, reply(http.StatusOK, `{"result":"no_face"}`))
	checkUnavailable(t, New(tlsm.srv.URL, Options{Logger: quiet}).Verify(context.Background(), "lane3", doc), "certificate")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	checkUnavailable(t, m.client(Options{}).Verify(ctx, "lane3", doc), "cancelled")
}

func TestVerifyBasePath(t *testing.T) {
	var path atomic.Value
	m := newMatcher(t, false, func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.Path)
		io.WriteString(w, `{"result":"no_face"}`)
	})
	c := New(m.srv.URL+"/matcher/", Options{HTTPClient: m.srv.Client(), Logger: quiet})
	if got := c.Verify(context.Background(), "lane3", doc); got.Result != records.FaceNoFace {
		t.Fatalf("verification = %+v", got)
	}
	if p := path.Load(); p != "/matcher/v1/verify" {
		t.Errorf("path = %v", p)
	}
}
