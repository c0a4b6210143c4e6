package tui

import (
	"bytes"
	"context"
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

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/facematch"
	"github.com/portofentry/booth/hardware/simulator"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
	"github.com/portofentry/booth/sqlitestore"
)

const (
	testBadge = "B7001"
	testPIN   = "135790"
)

// testEnv is a workstation over a real SQLite store seeded with the
// simulator's reference data, and a face matcher on loopback HTTP.
type testEnv struct {
	t       testing.TB
	store   *sqlitestore.Store
	bio     *sqlitestore.BiometricStore
	m       *Model
	now     time.Time
	faces   *matcherServer
	backend *StoreBackend
}

// matcherServer is a face matcher on loopback speaking DESIGN §3.
type matcherServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	result map[string]string // document number -> result
}

func newMatcher(t testing.TB) *matcherServer {
	ms := &matcherServer{result: map[string]string{}}
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

func (ms *matcherServer) set(number, result string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.result[number] = result
}

func newTestEnv(t *testing.T, mutate func(*Config)) *testEnv { return newTestEnvTB(t, mutate) }

func newTestEnvTB(t testing.TB, mutate func(*Config)) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "booth.db"), sqlitestore.Options{Origin: "test-booth",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fx := simulator.Fixtures()
	asOf := time.Now().Add(-time.Hour)
	for _, kind := range []string{"travelers", "rfid", "lookouts", "lost-stolen"} {
		f, err := fx.Open(kind + ".jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportReference(ctx, kind, f, 1, asOf); err != nil {
			t.Fatalf("import %s: %v", kind, err)
		}
		f.Close()
	}
	if err := st.AddOfficer(ctx, testBadge, "TEST OFFICER", "primary", []byte(testPIN)); err != nil {
		t.Fatal(err)
	}
	bio, err := sqlitestore.OpenBiometric(ctx, sqlitestore.BiometricPath(st.Path()), sqlitestore.BiometricOptions{Audit: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bio.Close() })
	env := &testEnv{t: t, store: st, bio: bio, now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), faces: newMatcher(t)}
	env.backend = &StoreBackend{Store: st, StaleAfter: 24 * time.Hour, Now: env.clock}
	cfg := Config{Workstation: "test-booth", Port: "2608", Lane: "V01", Mode: records.ModeVehicle, Role: "primary",
		Theme: "dark", IdleLock: 5 * time.Minute}
	if mutate != nil {
		mutate(&cfg)
	}
	m, err := New(ctx, cfg, Deps{Log: st, Lookups: env.backend, Officers: env.backend,
		Faces: facematch.New(env.faces.srv.URL, facematch.Options{}), Biometrics: env.bio, Now: env.clock})
	if err != nil {
		t.Fatal(err)
	}
	env.m = m
	env.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	return env
}

func (e *testEnv) clock() time.Time { return e.now }

// send delivers msg and runs the commands it returns, and theirs, until
// none is left. Commands that do not finish promptly (timers, cursor
// blink) are dropped: tests drive time themselves.
func (e *testEnv) send(msg tea.Msg) {
	e.t.Helper()
	e.sendWaiting(msg, promptCmd)
}

// promptCmd is how long a command may take before it is taken for a timer.
const promptCmd = 1100 * time.Millisecond

// sendWaiting is send, but gives the commands msg itself returns up to
// first to finish: sign-in derives a deliberately slow PIN hash, which
// under the race detector or a loaded CI machine takes longer than a
// prompt command.
func (e *testEnv) sendWaiting(msg tea.Msg, first time.Duration) {
	e.t.Helper()
	type item struct {
		msg  tea.Msg
		wait time.Duration // for the commands this message leads to
	}
	queue := []item{{msg, first}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		cmds, isBatch := it.msg.(tea.BatchMsg)
		if !isBatch {
			_, cmd := e.m.Update(it.msg)
			cmds = []tea.Cmd{cmd}
		}
		for _, m := range runCmds(cmds, it.wait) {
			// A batch is still the work of the message that returned it;
			// anything else is a new message with prompt commands.
			w := promptCmd
			if _, ok := m.(tea.BatchMsg); ok {
				w = it.wait
			}
			queue = append(queue, item{m, w})
		}
	}
}

func runCmds(cmds []tea.Cmd, wait time.Duration) []tea.Msg {
	var out []tea.Msg
	for _, c := range cmds {
		if c == nil {
			continue
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- c() }()
		select {
		case msg := <-ch:
			if _, tick := msg.(tickMsg); msg != nil && !tick {
				out = append(out, msg)
			}
		case <-time.After(wait):
			// The clock's tick: tests advance time themselves.
		}
	}
	return out
}

func (e *testEnv) keys(ks ...string) {
	e.t.Helper()
	for _, k := range ks {
		e.send(keyMsg(k))
	}
}

func (e *testEnv) typeText(s string) {
	for _, r := range s {
		e.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "ctrl+l":
		return tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (e *testEnv) login() {
	e.t.Helper()
	e.typeText(testBadge)
	e.keys("enter")
	e.typeText(testPIN)
	e.sendWaiting(keyMsg("enter"), 30*time.Second)
	if e.m.officer == nil {
		e.t.Fatalf("login failed: %s", e.view())
	}
}

// view is the screen as text (styles stripped).
func (e *testEnv) view() string { return ansi.Strip(e.m.View().Content) }

// device feeds one device event at the env's clock.
func (e *testEnv) device(ev hardware.Event) {
	e.t.Helper()
	if ev.At.IsZero() {
		ev.At = e.now
	}
	e.send(DeviceMsg{Event: ev})
}

func (e *testEnv) tag(epc string) {
	e.device(hardware.Event{Device: hardware.DeviceRFID, Kind: hardware.KindTag, Tag: &hardware.Tag{EPC: epc, Antenna: 1, RSSI: -55}})
}

func (e *testEnv) occupancy(alarm bool) {
	e.device(hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindOccupancy, Occupancy: &hardware.Occupancy{
		Occupancy: 4101, Start: e.now.Add(-3 * time.Second), End: e.now, GammaAlarm: alarm, MaxGamma: 560, BackgroundGamma: 240, Speed: 4.2}})
}

func (e *testEnv) plate(p, region string, conf float64, cands ...hardware.PlateCandidate) {
	e.device(hardware.Event{Device: hardware.DeviceLPR, Kind: hardware.KindPlate, Plate: &hardware.Plate{
		Plate: p, Region: region, Confidence: conf, Candidates: cands}})
}

// passport reads the TD3 passport of a fixture traveller.
func (e *testEnv) passport(f simulator.MRZFields) {
	e.t.Helper()
	lines, err := simulator.BuildTD3(f)
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := mrz.ParseLines(lines, e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	e.device(hardware.Event{Device: hardware.DeviceDoc, Kind: hardware.KindDocument, Document: &hardware.Document{MRZ: r, Raw: lines}})
}

func (e *testEnv) advance(d time.Duration) { e.now = e.now.Add(d) }

// stored returns the kinds of the events stored for a crossing.
func (e *testEnv) stored(crossingID string) []records.Kind {
	e.t.Helper()
	evs, err := e.store.Events(context.Background(), crossingID)
	if err != nil {
		e.t.Fatal(err)
	}
	kinds := make([]records.Kind, len(evs))
	for i, ev := range evs {
		kinds[i] = ev.Kind
	}
	return kinds
}

func hasKind(ks []records.Kind, k records.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func mustContain(t *testing.T, view string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(view, w) {
			t.Fatalf("view lacks %q:\n%s", w, view)
		}
	}
}

// Fixture people (hardware/simulator/fixtures).
const (
	epcGarcia      = "E2003411B802011516121234" // T0001, SENTRI, US-CA/7ABC123
	epcGarciaLopez = "E2003411B802011516125678" // T0002
)

var (
	hernandez = simulator.MRZFields{DocumentCode: "P", IssuingState: "MEX", DocumentNumber: "G12345678", Surname: "HERNANDEZ",
		GivenNames: "SOFIA", Nationality: "MEX", BirthDate: "1993-06-14", Sex: "F", ExpiryDate: "2031-01-22"} // lost/stolen LS0001
	thompson = simulator.MRZFields{DocumentCode: "P", IssuingState: "GBR", DocumentNumber: "533401872", Surname: "THOMPSON",
		GivenNames: "OLIVER JAMES", Nationality: "GBR", BirthDate: "1979-12-12", Sex: "M", ExpiryDate: "2024-08-14"} // expired
)

func tea_WindowSize(w, h int) tea.Msg { return tea.WindowSizeMsg{Width: w, Height: h} }

func tea_BackgroundDark() tea.Msg { return tea.BackgroundColorMsg{Color: color.Black} }
