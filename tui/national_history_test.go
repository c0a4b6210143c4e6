package tui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// nationalFake is the fake look-ups with a national history answer the
// test sets; gate, when set, holds every answer until it is closed.
type nationalFake struct {
	*fakeLookups
	mu      sync.Mutex
	asked   []NationalQuery
	answers map[string][]HistoryEntry // by document key, NAME/DOB or plate:REGION/PLATE
	err     error
	gate    chan struct{}
}

func (f *nationalFake) NationalHistory(ctx context.Context, q NationalQuery) ([]HistoryEntry, error) {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	gate, err := f.gate, f.err
	key := q.Country + "/" + q.Number
	switch {
	case q.Plate != "":
		key = "plate:" + q.Region + "/" + q.Plate
	case q.Surname != "":
		key = q.Surname + "/" + q.BirthDate
	}
	h := f.answers[key]
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return h, err
}

func (f *nationalFake) queries() []NationalQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]NationalQuery(nil), f.asked...)
}

// newNationalEnv is a test workstation whose look-ups offer national
// history.
func newNationalEnv(t *testing.T, f *nationalFake) *testEnv {
	t.Helper()
	e := newTestEnv(t, nil)
	f.fakeLookups = e.lookups
	m, err := New(t.Context(), e.m.c.cfg, Deps{Log: e.log, Lookups: f, Officers: e.officers, Faces: e.faces,
		Biometrics: e.bio, Now: e.clock, Logger: slog.New(slog.NewTextHandler(e.logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	e.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	return e
}

func localEntry(at time.Time, lane, outcome string) HistoryEntry {
	return HistoryEntry{CrossingID: records.NewID(), At: at, Port: "2608", Lane: lane, Outcome: outcome}
}

func TestNationalHistoryArrivesAfterLocalAndIsMarked(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	f := &nationalFake{answers: map[string][]HistoryEntry{
		"MEX/G12345678": {{CrossingID: "c-3104", At: at, Port: "3104", Lane: "V02", Outcome: "admitted"}},
	}, gate: make(chan struct{})}
	e := newNationalEnv(t, f)
	e.lookups.history["MEX/G12345678"] = []HistoryEntry{localEntry(at.Add(-24*time.Hour), "V05", "admitted")}
	e.login()
	e.passport(hernandez) // the national answer is held at the gate

	// Local history is on screen at once; national is being asked.
	v := e.view()
	if !strings.Contains(v, "1 prior") || !strings.Contains(v, "2608 V05") {
		t.Fatalf("local history not shown at once:\n%s", v)
	}
	if !strings.Contains(v, "national … asking other ports") {
		t.Fatalf("no pending national line:\n%s", v)
	}
	if strings.Contains(v, "3104") {
		t.Fatalf("the other port's crossing shown before it arrived:\n%s", v)
	}
	qs := f.queries()
	if len(qs) != 1 || qs[0].Country != "MEX" || qs[0].Number != "G12345678" || qs[0].Officer != testBadge || qs[0].Limit < 1 {
		t.Fatalf("national queries %+v", qs)
	}

	// The answer arrives later, as a message.
	close(f.gate)
	id := e.log.crossings()[0]
	h, err := f.NationalHistory(t.Context(), qs[0])
	if err != nil {
		t.Fatal(err)
	}
	e.send(nationalMsg{crossingID: id, subject: "MEX/G12345678", entries: h})
	v = e.view()
	if strings.Contains(v, "asking other ports") {
		t.Fatalf("still asking after the answer:\n%s", v)
	}
	want := "⇄ " + at.Local().Format("2006-01-02 15:04") + "  port 3104 V02  admitted  (national)"
	if !strings.Contains(v, "national — 1 at other ports") || !strings.Contains(v, want) {
		t.Fatalf("national crossing not shown marked (want %q):\n%s", want, v)
	}
	if !strings.Contains(v, "2608 V05") {
		t.Fatalf("local history lost when national arrived:\n%s", v)
	}
}

func TestNationalHistoryStates(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
		not  string
	}{
		{"hub did not answer", fmt.Errorf("%w: the hub did not answer in time", ErrNationalUnavailable), "⚠ national history unavailable", "asking"},
		{"port server failed", fmt.Errorf("port server answered 500"), "⚠ national history unavailable", "asking"},
		{"no hub", fmt.Errorf("%w: this port server has no hub", ErrNationalUnconfigured), "national history not configured", "unavailable"},
		{"nothing elsewhere", nil, "national — no crossings at other ports", "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &nationalFake{answers: map[string][]HistoryEntry{}, err: tt.err}
			e := newNationalEnv(t, f)
			e.login()
			e.plate("7ABC123", "US-CA", 93)
			v := e.view()
			if !strings.Contains(v, tt.want) {
				t.Fatalf("want %q in:\n%s", tt.want, v)
			}
			if strings.Contains(v, tt.not) {
				t.Fatalf("%q shown:\n%s", tt.not, v)
			}
			if n := strings.Count(v, "national"); n != 1 {
				t.Fatalf("%d national lines, want one:\n%s", n, v)
			}
			if qs := f.queries(); len(qs) != 1 || qs[0].Plate != "7ABC123" || qs[0].Region != "US-CA" {
				t.Fatalf("queries %+v", qs)
			}
		})
	}
}

// A slow hub never holds the panel: the booth gives up after its own
// timeout and says "unavailable".
func TestNationalHistoryTimesOut(t *testing.T) {
	f := &nationalFake{answers: map[string][]HistoryEntry{}, gate: make(chan struct{})}
	defer close(f.gate)
	e := newNationalEnv(t, f)
	e.login()
	e.plate("7ABC123", "US-CA", 93) // the look-up is held: still asking
	if v := e.view(); !strings.Contains(v, "national … asking other ports") {
		t.Fatalf("not asking:\n%s", v)
	}
	id := e.log.crossings()[0]
	cs := e.m.ws.crossings[id]
	// The command gives up by itself within nationalTimeout.
	cmd := e.m.nationalCmd(cs, "plate:US-CA/7ABC123", NationalQuery{Region: "US-CA", Plate: "7ABC123"})
	start := time.Now()
	msg := cmd()
	if d := time.Since(start); d < nationalTimeout/2 || d > 3*nationalTimeout {
		t.Errorf("gave up after %s, want about %s", d, nationalTimeout)
	}
	national, ok := msg.(nationalMsg)
	if !ok {
		t.Fatalf("answer %T", msg)
	}
	e.send(national)
	if v := e.view(); !strings.Contains(v, "⚠ national history unavailable") {
		t.Fatalf("after the timeout:\n%s", v)
	}
}

// Without a national look-up (an older Lookups) the panel is as before:
// no national line, no wait.
func TestNoNationalLookupsNoNationalLine(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.plate("7ABC123", "US-CA", 93)
	if v := e.view(); strings.Contains(v, "national") {
		t.Fatalf("national line without national look-ups:\n%s", v)
	}
}

// An answer for a crossing that has left the booth is dropped.
func TestNationalAnswerForAGoneCrossingIsDropped(t *testing.T) {
	e := newNationalEnv(t, &nationalFake{answers: map[string][]HistoryEntry{}})
	e.login()
	before := e.view()
	e.send(nationalMsg{crossingID: "gone", subject: "plate:US-CA/7ABC123",
		entries: []HistoryEntry{{CrossingID: "x", Port: "3104", Outcome: "admitted"}}})
	if after := e.view(); after != before || strings.Contains(after, "3104") {
		t.Fatalf("a gone crossing's answer changed the screen:\n%s", after)
	}
}
