package biometric

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// scriptedService answers forwards from a script of errors, then with a
// reference; it records what it received. (The real HTTP+mTLS service is
// exercised in cmd/booth against the simulator's.)
type scriptedService struct {
	mu    sync.Mutex
	fails []error
	got   []ForwardRequest
}

func (s *scriptedService) Forward(_ context.Context, req ForwardRequest) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, req)
	if len(s.fails) > 0 {
		err := s.fails[0]
		s.fails = s.fails[1:]
		return "", err
	}
	return "BIO-" + req.CaptureID, nil
}

func queued(t *testing.T, b *Store) []string {
	t.Helper()
	q, err := b.ForwardQueue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range q {
		ids = append(ids, e.CaptureID)
	}
	return ids
}

// TestOnlyNonCitizensEnterTheForwardQueue: whoever writes — the store's
// methods or a plain SQL connection to the file — a US citizen's or an
// unknown-citizenship capture cannot be queued for forwarding, and a capture
// re-filed away from non_usc leaves the queue.
func TestOnlyNonCitizensEnterTheForwardQueue(t *testing.T) {
	ctx := context.Background()
	b := openBiometric(t, openOwnStore(t), Options{})
	saveCapture(t, b, "usc", CitizenUSC, capT0)
	saveCapture(t, b, "unknown", CitizenUnknown, capT0)
	saveCapture(t, b, "non", CitizenNonUSC, capT0)
	if got := queued(t, b); strings.Join(got, ",") != "non" {
		t.Fatalf("queue = %v, want [non]", got)
	}
	raw, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: b.Path(), RawQuery: "_pragma=busy_timeout(5000)"}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, id := range []string{"usc", "unknown", "no-such-capture"} {
		_, err := raw.Exec(`INSERT INTO forward_queue (capture_id, event_id, enqueued_at, next_attempt_at) VALUES (?, ?, 0, 0)`, id, "ev-"+id)
		if err == nil || !strings.Contains(err.Error(), "only a non-citizen") {
			t.Errorf("raw insert of %s into the queue: %v", id, err)
		}
	}
	if _, err := raw.Exec(`UPDATE forward_queue SET capture_id = 'usc' WHERE capture_id = 'non'`); err == nil {
		t.Error("a queued entry was pointed at a US citizen's capture")
	}
	// Re-filing moves captures in and out of the queue.
	if err := b.MarkCitizenship(ctx, "non", CitizenUSC); err != nil {
		t.Fatal(err)
	}
	if err := b.MarkCitizenship(ctx, "unknown", CitizenNonUSC); err != nil {
		t.Fatal(err)
	}
	if got := queued(t, b); strings.Join(got, ",") != "unknown" {
		t.Fatalf("queue after re-filing = %v, want [unknown]", got)
	}
	if _, err := raw.Exec(`UPDATE captures SET citizenship = 'unknown' WHERE id = 'unknown'`); err != nil {
		t.Fatal(err)
	}
	if got := queued(t, b); len(got) != 0 {
		t.Fatalf("queue after a raw re-file to unknown = %v, want empty", got)
	}
	svc := &scriptedService{}
	if run, err := b.ForwardDue(ctx, capT0.Add(time.Hour), svc); err != nil || len(run.Forwarded) != 0 || len(svc.got) != 0 {
		t.Fatalf("ForwardDue sent %d captures (%+v, %v); want none", len(svc.got), run, err)
	}
}

// TestForwardRetriesThenRecordsAndPurges: failures are retried with
// doubling backoff; the success is audited, recorded in the crossing as
// biometric.forwarded (before the biometric.purged of the image) and the
// capture is purged at once.
func TestForwardRetriesThenRecordsAndPurges(t *testing.T) {
	ctx := context.Background()
	main := openOwnStore(t)
	openCrossing(t, main, "X-non")
	b := openBiometric(t, main, Options{OnForward: RecordForwards(main), OnPurge: RecordPurges(main)})
	saveCapture(t, b, "non", CitizenNonUSC, capT0)
	svc := &scriptedService{fails: []error{errors.New("503 busy"), errors.New("connection refused")}}
	now := time.Now()
	run, err := b.ForwardDue(ctx, now, svc)
	if err != nil || run.Failed != 1 {
		t.Fatalf("first attempt: %+v, %v", run, err)
	}
	q, _ := b.ForwardQueue(ctx)
	if len(q) != 1 || q[0].Attempts != 1 || !q[0].NextAttemptAt.Equal(now.Add(30*time.Second).UTC().Truncate(0)) || q[0].LastError != "503 busy" {
		t.Fatalf("after one failure: %+v", q)
	}
	// Not due yet: nothing is sent.
	if run, err := b.ForwardDue(ctx, now.Add(29*time.Second), svc); err != nil || run.Failed != 0 || len(svc.got) != 1 {
		t.Fatalf("before the retry is due: %+v, %v, sent %d", run, err, len(svc.got))
	}
	if run, err := b.ForwardDue(ctx, now.Add(30*time.Second), svc); err != nil || run.Failed != 1 {
		t.Fatalf("second attempt: %+v, %v", run, err)
	}
	q, _ = b.ForwardQueue(ctx)
	if want := now.Add(30*time.Second + 60*time.Second).UTC(); len(q) != 1 || q[0].Attempts != 2 || !q[0].NextAttemptAt.Equal(want) {
		t.Fatalf("after two failures: %+v, want next at %s", q, want)
	}
	done := now.Add(2 * time.Minute)
	run, err = b.ForwardDue(ctx, done, svc)
	if err != nil || len(run.Forwarded) != 1 || run.Forwarded[0].BiometricRef != "BIO-non" {
		t.Fatalf("third attempt: %+v, %v", run, err)
	}
	if string(svc.got[2].PNG) != string(fakePNG("FACE-non-", 2048)) || svc.got[2].CrossingID != "X-non" {
		t.Error("the service did not receive the decrypted image and its crossing")
	}
	if _, err := b.Capture(ctx, "non"); !errors.Is(err, ErrCaptureNotFound) {
		t.Errorf("capture after forwarding: %v, want purged", err)
	}
	if got := queued(t, b); len(got) != 0 {
		t.Errorf("queue = %v", got)
	}
	evs, err := main.Events(ctx, "X-non")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, string(e.Kind))
	}
	if got := strings.Join(kinds, ","); got != "crossing.opened,biometric.forwarded,biometric.purged" {
		t.Fatalf("crossing events = %s", got)
	}
	p, err := evs[1].Decode()
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := p.(*records.BiometricForwarded); !ok || f.BiometricRef != "BIO-non" || f.CaptureRef != "non" {
		t.Errorf("forwarded event = %#v", p)
	}
	actions := auditActions(t, main, "capture:non")
	if strings.Join(actions, ",") != "forward,purge" {
		t.Errorf("audit of capture:non = %v, want forward then purge", actions)
	}
	// Handing over again (a retried run) stores nothing twice.
	if _, err := b.ForwardDue(ctx, done.Add(time.Hour), svc); err != nil {
		t.Fatal(err)
	}
	if evs2, _ := main.Events(ctx, "X-non"); len(evs2) != len(evs) {
		t.Errorf("%d events after a second run, want %d", len(evs2), len(evs))
	}
}

// TestUnforwardedPurgedAt14DaysSaysSo: a non-citizen's capture the
// biometric system never took is purged at 14 days, and its audit entry
// says it was not forwarded.
func TestUnforwardedPurgedAt14DaysSaysSo(t *testing.T) {
	ctx := context.Background()
	main := openOwnStore(t)
	b := openBiometric(t, main, Options{})
	saveCapture(t, b, "never", CitizenNonUSC, capT0)
	svc := &scriptedService{fails: []error{errors.New("down"), errors.New("down"), errors.New("down")}}
	for i := range 3 {
		if _, err := b.ForwardDue(ctx, capT0.Add(time.Duration(i)*24*time.Hour), svc); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.RunRetention(ctx, capT0.Add(14*24*time.Hour-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Capture(ctx, "never"); err != nil {
		t.Fatalf("purged before 14 days: %v", err)
	}
	if _, err := b.RunRetention(ctx, capT0.Add(14*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	es, err := main.RecentAudit(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var detail map[string]any
	for _, e := range es {
		if e.Subject == "capture:never" && e.Action == sqlitestore.ActionPurge {
			_ = json.Unmarshal(e.Detail, &detail)
		}
	}
	if detail["forwarded"] != false || detail["reason"] != PurgeReasonNonUSC {
		t.Errorf("purge audit detail = %v; want forwarded false, reason %s", detail, PurgeReasonNonUSC)
	}
	if got := queued(t, b); len(got) != 0 {
		t.Errorf("queue after the purge = %v", got)
	}
}

func auditActions(t *testing.T, s *sqlitestore.Store, subject string) []string {
	t.Helper()
	es, err := s.RecentAudit(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Subject == subject {
			out = append(out, es[i].Action)
		}
	}
	return out
}
