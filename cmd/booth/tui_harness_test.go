package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	_ "modernc.org/sqlite"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/facematch"
	"github.com/portofentry/booth/hardware/simulator"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/sqlitestore/biometric"
	"github.com/portofentry/booth/tui"
)

// The workstation's model over the real parts: the booth's SQLite store and
// biometric store through this package's adapters, and the face matcher
// client against a matcher on loopback HTTP. Keys and device events go in
// as messages; the screen is read back from View and the record from the
// store.

const (
	harnessBadge = "B7001"
	harnessPIN   = "135790"
)

type tuiHarness struct {
	t      *testing.T
	dir    string
	store  *sqlitestore.Store
	bio    *biometric.Store
	faces  *loopbackMatcher
	m      tea.Model
	now    time.Time
	logBuf *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTUIHarness opens a store in dir (a temporary directory when ""),
// seeds the simulator's reference data and an officer, and builds the
// workstation on it.
func newTUIHarness(t *testing.T, dir string, mode records.Mode) *tuiHarness {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlitestore.Open(ctx, filepath.Join(dir, "booth.db"), sqlitestore.Options{Origin: "test-booth", Logger: quiet,
		PINIterations: 1000}) // sign-in is not what these tests measure
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fx := simulator.Fixtures()
	for _, kind := range []string{"travelers", "rfid", "lookouts", "lost-stolen"} {
		f, err := fx.Open(kind + ".jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportReference(ctx, kind, f, 1, time.Now().Add(-time.Hour)); err != nil {
			t.Fatalf("import %s: %v", kind, err)
		}
		f.Close()
	}
	if err := st.AddOfficer(ctx, harnessBadge, "TEST OFFICER", "primary", []byte(harnessPIN)); err != nil {
		t.Fatal(err)
	}
	bio, err := biometric.Open(ctx, biometric.Path(st.Path()), biometric.Options{Audit: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bio.Close() })
	h := &tuiHarness{t: t, dir: dir, store: st, bio: bio, faces: newLoopbackMatcher(t), logBuf: &lockedBuffer{},
		now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	backend := &storeBackend{Store: st, StaleAfter: 24 * time.Hour, Now: h.clock}
	m, err := tui.New(ctx, tui.Config{Workstation: "test-booth", Port: "2608", Lane: "V01", Mode: mode, Role: "primary", Theme: "dark"},
		tui.Deps{Log: crossingLog{store: st}, Lookups: backend, Officers: backend,
			Faces: matcher{facematch.New(h.faces.srv.URL, facematch.Options{})}, Biometrics: biometrics{bio},
			Now: h.clock, Logger: slog.New(slog.NewTextHandler(h.logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	return h
}

func (h *tuiHarness) clock() time.Time { return h.now }

// send delivers msg and runs the commands it leads to until none is left.
// The model starts no timers unless sent a tick, so every command finishes.
func (h *tuiHarness) send(msg tea.Msg) {
	h.t.Helper()
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		var cmds []tea.Cmd
		if b, ok := msg.(tea.BatchMsg); ok {
			cmds = b
		} else {
			var cmd tea.Cmd
			h.m, cmd = h.m.Update(msg)
			cmds = []tea.Cmd{cmd}
		}
		for _, c := range cmds {
			if c == nil {
				continue
			}
			ch := make(chan tea.Msg, 1)
			go func() { ch <- c() }()
			select {
			case out := <-ch:
				if out != nil {
					queue = append(queue, out)
				}
			case <-time.After(60 * time.Second):
				h.t.Fatalf("a command did not finish in 60 s")
			}
		}
	}
}

func (h *tuiHarness) key(k string) {
	h.t.Helper()
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		msg = tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	default:
		msg = tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
	}
	h.send(msg)
}

func (h *tuiHarness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (h *tuiHarness) login() {
	h.t.Helper()
	h.typeText(harnessBadge)
	h.key("enter")
	h.typeText(harnessPIN)
	h.key("enter")
	if !strings.Contains(h.view(), "signed in as "+harnessBadge) {
		h.t.Fatalf("sign-in failed:\n%s", h.view())
	}
}

func (h *tuiHarness) view() string { return ansi.Strip(h.m.View().Content) }

func (h *tuiHarness) device(ev hardware.Event) {
	h.t.Helper()
	if ev.At.IsZero() {
		ev.At = h.now
	}
	h.send(tui.DeviceMsg{Event: ev})
}

func (h *tuiHarness) tag(epc string) {
	h.device(hardware.Event{Device: hardware.DeviceRFID, Kind: hardware.KindTag, Tag: &hardware.Tag{EPC: epc, Antenna: 1, RSSI: -55}})
}

func (h *tuiHarness) occupancy(alarm bool) {
	h.device(hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindOccupancy, Occupancy: &hardware.Occupancy{
		Occupancy: 4101, Start: h.now.Add(-3 * time.Second), End: h.now, GammaAlarm: alarm, MaxGamma: 560, BackgroundGamma: 240, Speed: 4.2}})
}

func (h *tuiHarness) plate(p, region string, conf float64) {
	h.device(hardware.Event{Device: hardware.DeviceLPR, Kind: hardware.KindPlate, Plate: &hardware.Plate{Plate: p, Region: region, Confidence: conf}})
}

func (h *tuiHarness) passport(f simulator.MRZFields) {
	h.t.Helper()
	lines, err := simulator.BuildTD3(f)
	if err != nil {
		h.t.Fatal(err)
	}
	r, err := mrz.ParseLines(lines, h.now)
	if err != nil {
		h.t.Fatal(err)
	}
	h.device(hardware.Event{Device: hardware.DeviceDoc, Kind: hardware.KindDocument, Document: &hardware.Document{MRZ: r, Raw: lines}})
}

// crossingIDs lists every crossing the store holds events of.
func (h *tuiHarness) crossingIDs() []string {
	h.t.Helper()
	db, err := sql.Open("sqlite", "file:"+h.store.Path()+"?mode=ro")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT crossing_id FROM events GROUP BY crossing_id ORDER BY MIN(seq)`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			h.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		h.t.Fatal(err)
	}
	return ids
}

// checkOpenings asserts the record's invariant over every stored crossing:
// its first event is crossing.opened with the workstation's port, lane and
// mode. It returns how many crossings it checked.
func (h *tuiHarness) checkOpenings(mode records.Mode) int {
	h.t.Helper()
	ids := h.crossingIDs()
	for _, id := range ids {
		evs, err := h.store.Events(context.Background(), id)
		if err != nil {
			h.t.Fatal(err)
		}
		if len(evs) == 0 || evs[0].Kind != records.KindCrossingOpened {
			kinds := make([]records.Kind, len(evs))
			for i, e := range evs {
				kinds[i] = e.Kind
			}
			h.t.Errorf("crossing %s does not start with its opening: %v", id, kinds)
			continue
		}
		p, err := evs[0].Decode()
		if err != nil {
			h.t.Fatal(err)
		}
		if o := p.(*records.CrossingOpened); o.Port != "2608" || o.Lane != "V01" || o.Mode != mode {
			h.t.Errorf("crossing %s opened with %+v", id, o)
		}
	}
	return len(ids)
}

func mustShow(t *testing.T, view string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(view, w) {
			t.Fatalf("screen lacks %q:\n%s", w, view)
		}
	}
}

// loopbackMatcher is a face matcher on loopback HTTP speaking the matcher's
// API (docs/design.md).
type loopbackMatcher struct {
	srv    *httptest.Server
	mu     sync.Mutex
	result map[string]string // document number -> result
}

func newLoopbackMatcher(t *testing.T) *loopbackMatcher {
	ms := &loopbackMatcher{result: map[string]string{}}
	face := func(c color.RGBA) []byte {
		img := image.NewRGBA(image.Rect(0, 0, 48, 64))
		for y := 0; y < 64; y++ {
			for x := 0; x < 48; x++ {
				img.Set(x, y, c)
			}
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/verify", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Document struct{ Number, Country string } `json:"document"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad json"}`, 400)
			return
		}
		ms.mu.Lock()
		res := ms.result[req.Document.Number]
		ms.mu.Unlock()
		score := 0.93
		if res == "" {
			res = "match"
		}
		if res == "no_match" {
			score = 0.31
		}
		json.NewEncoder(w).Encode(map[string]any{"result": res, "score": score, "threshold": 0.8,
			"capture_id": "cap-" + req.Document.Number, "captured_at": time.Now().UTC().Format(time.RFC3339Nano)})
	})
	mux.HandleFunc("GET /v1/captures/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Write(face(color.RGBA{200, 150, 120, 255}))
	})
	mux.HandleFunc("GET /v1/gallery/{country}/{number}", func(w http.ResponseWriter, r *http.Request) {
		w.Write(face(color.RGBA{180, 140, 110, 255}))
	})
	ms.srv = httptest.NewServer(mux)
	t.Cleanup(ms.srv.Close)
	return ms
}

func (ms *loopbackMatcher) set(number, result string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.result[number] = result
}
