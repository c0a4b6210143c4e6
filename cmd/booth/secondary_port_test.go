package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/cmd/internal/testbin"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui/secondary"
)

// These tests run the real port server (`portserver serve`, its own
// process) and workstations in the test process wired as cmd/booth wires
// them: a SQLite store, the outbox sender and the feed puller over mutual
// TLS, and at a secondary workstation the tui/secondary Model over the
// replica adapter, woken by the puller through forwardSecondary.

// buildPortserver builds cmd/portserver once per test binary.
func buildPortserver(t testing.TB) string {
	t.Helper()
	return testbin.Build(t, "portserver")
}

// portRig is a real port server process with its PKI in dir.
type portRig struct {
	dir, pki, url string
}

func startPortRig(t testing.TB) *portRig {
	t.Helper()
	bin := buildPortserver(t)
	r := &portRig{dir: t.TempDir()}
	r.pki = filepath.Join(r.dir, "pki")
	if err := replication.InitCA(r.pki, "2604"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := replication.Issue(r.pki, replication.IssueRequest{Role: "server"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--db", filepath.Join(r.dir, "server.db"), "--dir", r.pki,
		"--listen", "127.0.0.1:0", "--port", "2604")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	for r.url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("portserver exited: %s", stderr.String())
			}
			var hello struct{ Listening string }
			if json.Unmarshal([]byte(l), &hello) == nil && hello.Listening != "" {
				r.url = "https://" + hello.Listening
			}
		case <-deadline:
			t.Fatalf("portserver did not start: %s", stderr.String())
		}
	}
	go func() {
		for range lines { // drain
		}
	}()
	return r
}

// station is one workstation: its store and link to the port server.
type station struct {
	id      string
	store   *sqlitestore.Store
	link    *replication.Link
	changes *replicaChanges // secondary only
	// applied records when each crossing's events were first applied to
	// the replica (secondary only).
	mu      sync.Mutex
	applied map[string]time.Time
}

func (r *portRig) station(t testing.TB, ctx context.Context, role, id string) *station {
	t.Helper()
	certRole := strings.TrimSuffix(role, "+measure")
	crt, key, err := replication.Issue(r.pki, replication.IssueRequest{Role: certRole, Workstation: id})
	if err != nil {
		t.Fatal(err)
	}
	tlsConf, err := replication.ClientTLSConfig(filepath.Join(r.pki, replication.CACertFile), crt, key)
	if err != nil {
		t.Fatal(err)
	}
	client, err := replication.NewClient(r.url, tlsConf)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlitestore.Open(ctx, filepath.Join(r.dir, id+".db"), sqlitestore.Options{Origin: id, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	s := &station{id: id, store: st, applied: map[string]time.Time{}}
	switch role {
	case "secondary":
		s.changes = newReplicaChanges()
		s.link, err = newSecondaryLink(st, client, logger, s.changes)
	case "secondary+measure":
		// newSecondaryLink with a tap that times each event kind's arrival
		// per crossing.
		s.changes = newReplicaChanges()
		s.link, err = replication.NewLink(replication.LinkConfig{
			Sender: &replication.SenderConfig{Store: st, Client: client, Logger: logger},
			Puller: &replication.PullerConfig{Store: st, Client: client, Logger: logger, OnApplied: func(batch []records.Event, v int64) {
				now := time.Now()
				s.mu.Lock()
				for _, e := range batch {
					if _, ok := s.applied[e.CrossingID+string(e.Kind)]; !ok {
						s.applied[e.CrossingID+string(e.Kind)] = now
					}
				}
				s.mu.Unlock()
				s.changes.applied(batch, v)
			}},
		})
	default:
		s.link, err = newLink(st, client, logger)
	}
	if err != nil {
		t.Fatal(err)
	}
	linkCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = s.link.Run(linkCtx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	return s
}

// append stores events as the booth's crossingLog does and wakes the sender.
func (s *station) append(t testing.TB, evs ...records.Event) []records.Event {
	t.Helper()
	out, err := s.store.Append(context.Background(), evs...)
	if err != nil {
		t.Fatalf("%s append: %v", s.id, err)
	}
	s.link.Notify()
	return out
}

// screen runs a tui/secondary Model as the program would: one goroutine
// owns it (Update and View), commands run on their own goroutines and come
// back as messages, and forwardSecondary sends it the replica's changes.
type screen struct {
	msgs  chan tea.Msg
	mu    sync.Mutex
	view  string
	seen  map[string]time.Time // needle → first time the screen showed it
	watch []string
}

func startScreen(t testing.TB, ctx context.Context, s *station, officer string) *screen {
	t.Helper()
	sc := &screen{msgs: make(chan tea.Msg, 1024), seen: map[string]time.Time{}}
	m := secondary.New(ctx, &secondary.Shared{Now: time.Now}, secondary.Config{Workstation: s.id, Port: "2604"},
		secondary.Deps{Store: newSecondaryStore(s.store, s.link, nil), Log: s.store})
	m.SetSize(200, 60)
	var run func(cmd tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			msg := cmd()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, c := range batch {
					run(c)
				}
				return
			}
			if msg != nil {
				select {
				case sc.msgs <- msg:
				case <-ctx.Done():
				}
			}
		}()
	}
	run(m.Start(officer))
	go forwardSecondary(ctx, chanSender(sc.msgs), s.changes)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case msg := <-sc.msgs:
				_, cmd := m.Update(msg)
				run(cmd)
				v := m.View()
				now := time.Now()
				sc.mu.Lock()
				sc.view = v
				for _, w := range sc.watch {
					if _, ok := sc.seen[w]; !ok && strings.Contains(v, w) {
						sc.seen[w] = now
					}
				}
				sc.mu.Unlock()
			}
		}
	}()
	return sc
}

type chanSender chan tea.Msg

func (c chanSender) Send(msg tea.Msg) { c <- msg }

// expect registers a needle whose first appearance on screen is timed.
func (sc *screen) expect(needle string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.watch = append(sc.watch, needle)
	if strings.Contains(sc.view, needle) {
		sc.seen[needle] = time.Now()
	}
}

// shownAt is when needle first appeared, zero while it has not.
func (sc *screen) shownAt(needle string) time.Time {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.seen[needle]
}

func (sc *screen) current() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.view
}

func waitFor(t testing.TB, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// referredVehicle is a vehicle with an RPM alarm the primary officer refers,
// with a plate unique to the test.
func referredVehicle(t testing.TB, plate string, at time.Time) []records.Event {
	t.Helper()
	cid := records.NewID()
	var evs []records.Event
	for i, p := range []records.Payload{
		records.CrossingOpened{Port: "2604", Lane: "V01", Mode: records.ModeVehicle, Trigger: "plate"},
		records.PlateRead{Plate: plate, Region: "US-AZ", Confidence: 93},
		records.RPMOccupancy{Occupancy: 9, GammaAlarm: true, MaxGamma: 1800, BackgroundGamma: 400},
		records.DocumentKeyed{Fields: &records.KeyedFields{DocumentCode: "P", IssuingState: "USA", Number: "X" + plate,
			Surname: "RIVERA", GivenNames: "ANA", BirthDate: "1990-02-03", Nationality: "USA", ExpiryDate: "2031-01-01"}},
	} {
		officer := ""
		if i == 3 {
			officer = "A1"
		}
		evs = append(evs, mustNewEvent(t, cid, p, at.Add(time.Duration(i)*100*time.Millisecond), officer))
	}
	evs = append(evs, mustNewEvent(t, cid, records.Referred{Reasons: []string{records.ReasonRPMAlarm}, Note: "gamma alarm"}, at.Add(time.Second), "A1"))
	return evs
}

func mustNewEvent(t testing.TB, cid string, p records.Payload, at time.Time, officer string) records.Event {
	t.Helper()
	e, err := records.NewEvent(cid, p, at, officer)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// primaryHistory is what the primary booth's history shows for a plate.
func primaryHistory(t testing.TB, s *station, plate string) string {
	t.Helper()
	hs, err := s.store.HistoryByPlate(context.Background(), "US-AZ", plate, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) == 0 {
		return ""
	}
	return historyEntry(hs[0]).Outcome
}

// A primary booth refers a car; two secondary workstations see it in their
// queue by themselves; one takes it and both screens show who; an admission
// is refused while the RPM alarm is unadjudicated; LSS's coded answer and a
// determination follow, the referral leaves both queues and the primary's
// history shows the outcome. Then the two secondary workstations determine
// another referral each on their own: both keep both, the conflicts view
// and the primary's history flag it, and a correction settles it.
func TestSecondaryThroughPortServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the port server")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rig := startPortRig(t)
	booth := rig.station(t, ctx, "primary", "2604-V01")
	sec1 := rig.station(t, ctx, "secondary", "2604-S01")
	sec2 := rig.station(t, ctx, "secondary", "2604-S02")
	scr1, scr2 := startScreen(t, ctx, sec1, "S1"), startScreen(t, ctx, sec2, "S2")

	now := time.Now().UTC()
	evs := booth.append(t, referredVehicle(t, "AZ1001", now)...)
	cid := evs[0].CrossingID
	for _, sc := range []*screen{scr1, scr2} {
		sc.expect("US-AZ/AZ1001")
		waitFor(t, "the referral on a secondary screen", 10*time.Second, func() bool { return !sc.shownAt("US-AZ/AZ1001").IsZero() })
	}
	if v := scr1.current(); !strings.Contains(v, "RIVERA, ANA") || !strings.Contains(v, "RPM") {
		t.Errorf("queue line lacks names or the RPM marker:\n%s", v)
	}

	// S1 takes it (the screen's take writes this event through its Log);
	// both screens show who took it, without a key press.
	sec1.append(t, mustNewEvent(t, cid, records.SecondaryTaken{}, time.Now().UTC(), "S1"))
	// The screen reloads after its own write; written here beside it, tell
	// it so. (The feed brings the event back, but the puller skips events
	// the replica already holds and reports only new ones.)
	scr1.msgs <- secondary.ReplicaChangedMsg{Crossings: []string{cid}}
	// The taker's own screen says it is theirs, the other names them.
	for _, w := range []struct {
		sc     *screen
		needle string
	}{{scr1, "▶ you"}, {scr2, "S1@2604-S01"}} {
		w.sc.expect(w.needle)
		waitFor(t, "the take on both screens ("+w.needle+")", 10*time.Second, func() bool { return !w.sc.shownAt(w.needle).IsZero() })
	}

	// Admission needs the alarm adjudicated.
	evsAt2 := func() *records.Crossing {
		got, err := sec2.store.Crossing(ctx, cid)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if ok, why := evsAt2().CanDetermine(records.OutcomeAdmitted); ok || !strings.Contains(why, "LSS") {
		t.Fatalf("admission of an unadjudicated alarm: %v %q", ok, why)
	}
	sec1.append(t,
		mustNewEvent(t, cid, records.SecondaryFinding{Category: records.FindingVehicleSearch, Text: "Nothing found in the cargo area."}, time.Now().UTC(), "S1"),
		mustNewEvent(t, cid, records.LSSRequested{Occupancy: 9}, time.Now().UTC(), "S1"),
		mustNewEvent(t, cid, records.LSSAnswered{Occupancy: 9, Isotopes: []records.Isotope{records.IsotopeTc99m}, Code: records.CodeInnocentMedical}, time.Now().UTC(), "S1"),
	)
	waitFor(t, "the LSS answer at the other workstation", 10*time.Second, func() bool {
		ok, _ := evsAt2().CanDetermine(records.OutcomeAdmitted)
		return ok
	})
	sec1.append(t, mustNewEvent(t, cid, records.Determination{Outcome: records.OutcomeAdmitted, Note: "medical isotope, letter"}, time.Now().UTC(), "S1"))
	scr1.msgs <- secondary.ReplicaChangedMsg{Crossings: []string{cid}}
	for _, sc := range []*screen{scr1, scr2} {
		waitFor(t, "the referral leaving the queue", 10*time.Second, func() bool { return !strings.Contains(sc.current(), "US-AZ/AZ1001") })
	}
	waitFor(t, "the outcome in the primary's history", 10*time.Second, func() bool { return primaryHistory(t, booth, "AZ1001") == "admitted" })

	// Two workstations determine the same referral without seeing each
	// other's: both kept, flagged everywhere until a correction.
	evs = booth.append(t, referredVehicle(t, "AZ2002", time.Now().UTC())...)
	cid2 := evs[0].CrossingID
	for _, s := range []*station{sec1, sec2} {
		waitFor(t, "the second referral in the replica", 10*time.Second, func() bool {
			q, err := s.store.Queue(ctx, time.Now(), 0)
			return err == nil && len(q) == 1 && q[0].CrossingID == cid2
		})
	}
	d1 := sec1.append(t, mustNewEvent(t, cid2, records.Determination{Outcome: records.OutcomeRefused}, time.Now().UTC(), "S1"))
	sec2.append(t, mustNewEvent(t, cid2, records.Determination{Outcome: records.OutcomeTurnedOver, Agency: "HSI"}, time.Now().UTC(), "S2"))
	waitFor(t, "the conflict in the primary's history", 10*time.Second, func() bool {
		return primaryHistory(t, booth, "AZ2002") == "CONFLICT refused / turned_over"
	})
	for _, s := range []*station{sec1, sec2} {
		waitFor(t, "the conflict at both secondary workstations", 10*time.Second, func() bool {
			cf, err := s.store.Conflicts(ctx, time.Now(), 0)
			return err == nil && len(cf) == 1 && cf[0].CrossingID == cid2 &&
				slices.Equal(cf[0].Outcomes, []records.Outcome{records.OutcomeRefused, records.OutcomeTurnedOver})
		})
	}
	sec1.append(t, mustNewEvent(t, cid2, records.Determination{Outcome: records.OutcomeTurnedOver, Agency: "HSI", Supersedes: d1[0].ID}, time.Now().UTC(), "S1"))
	waitFor(t, "the correction in the primary's history", 10*time.Second, func() bool { return primaryHistory(t, booth, "AZ2002") == "turned_over" })
	c, err := booth.store.Crossing(ctx, cid2)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Determinations) != 3 || c.InConflict() || c.FinalOutcome() != records.OutcomeTurnedOver {
		t.Errorf("primary's record: %d determinations, conflict %v, outcome %q", len(c.Determinations), c.InConflict(), c.FinalOutcome())
	}
}

// BenchmarkReferralToSecondaryQueue measures a primary booth's commit of a
// referral → the referral shown in the queue of a secondary screen, through
// the real port server, with 20 booths passing vehicles at once (each booth
// a vehicle every ~1 s: device events, then admit or refer). The secondary
// officer determines referrals once seen, so the queue stays on one screen.
// Run with -benchtime=1x; BOOTH_BENCH_REFERRALS sets how many referrals are
// measured (default 300). Reports p50, p99 and max in ms.
func BenchmarkReferralToSecondaryQueue(b *testing.B) {
	want := 300
	if v, err := strconv.Atoi(os.Getenv("BOOTH_BENCH_REFERRALS")); err == nil && v > 0 {
		want = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rig := startPortRig(b)
	sec := rig.station(b, ctx, "secondary+measure", "2604-S01")
	scr := startScreen(b, ctx, sec, "S1")
	travelers, cards, err := demoTravelers()
	if err != nil {
		b.Fatal(err)
	}
	type sample struct {
		plate     string
		committed time.Time
		cid       string
	}
	samples := make(chan sample, 1024)
	var wg sync.WaitGroup
	boothCtx, stopBooths := context.WithCancel(ctx)
	for i := 0; i < 20; i++ {
		st := rig.station(b, ctx, "primary", fmt.Sprintf("2604-V%02d", i+1))
		rng := rand.New(rand.NewPCG(uint64(i), 99))
		wg.Go(func() {
			for n := 0; boothCtx.Err() == nil; n++ {
				if !sleepCtx(boothCtx, jitter(rng, time.Second)) {
					return
				}
				plate := fmt.Sprintf("%c%04d", 'A'+i, n)
				devices, decision, err := demoVehicle(rng, "V"+strconv.Itoa(i+1), "A1", travelers[rng.IntN(len(travelers))], cards, n+1, time.Now().UTC(), 200*time.Millisecond)
				if err != nil {
					b.Error(err)
					return
				}
				devices = withPlate(b, devices, plate)
				if _, err := st.store.Append(boothCtx, devices...); err != nil {
					return
				}
				st.link.Notify()
				referral := slices.ContainsFunc(decision, func(e records.Event) bool { return e.Kind == records.KindReferred })
				if referral {
					// Watch before committing, so a fast screen is not missed.
					scr.expect("US-CA/" + plate)
				}
				if _, err := st.store.Append(boothCtx, decision...); err != nil {
					return
				}
				committed := time.Now()
				st.link.Notify()
				if referral {
					samples <- sample{plate: "US-CA/" + plate, committed: committed, cid: devices[0].CrossingID}
				}
			}
		})
	}
	var lat, toReplica []time.Duration
	pending := map[string]sample{}
	b.ResetTimer()
	deadline := time.Now().Add(10 * time.Minute)
	for len(lat) < want && time.Now().Before(deadline) {
		select {
		case s := <-samples:
			pending[s.plate] = s
		case <-time.After(5 * time.Millisecond):
		}
		for plate, s := range pending {
			at := scr.shownAt(plate)
			if at.IsZero() {
				if time.Since(s.committed) > 30*time.Second {
					b.Fatalf("referral %s not on screen after 30 s (%d measured); screen:\n%s", plate, len(lat), scr.current())
				}
				continue
			}
			lat = append(lat, at.Sub(s.committed))
			sec.mu.Lock()
			if ap, ok := sec.applied[s.cid+string(records.KindReferred)]; ok {
				toReplica = append(toReplica, ap.Sub(s.committed))
			}
			sec.mu.Unlock()
			delete(pending, plate)
			// The secondary officer works it: it leaves the queue.
			if _, err := sec.store.Append(ctx, mustNewEvent(b, s.cid, records.Determination{Outcome: records.OutcomeReleased}, time.Now().UTC(), "S1")); err != nil {
				b.Fatal(err)
			}
			sec.link.Notify()
		}
	}
	b.StopTimer()
	stopBooths()
	wg.Wait()
	if len(lat) < want {
		b.Fatalf("measured %d of %d referrals", len(lat), want)
	}
	slices.Sort(lat)
	slices.Sort(toReplica)
	q := func(lat []time.Duration, p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(lat, 0.5), "p50-ms")
	b.ReportMetric(q(lat, 0.99), "p99-ms")
	b.ReportMetric(q(toReplica, 0.5), "replica-p50-ms")
	b.ReportMetric(q(toReplica, 0.99), "replica-p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(len(lat)), "referrals")
}

// withPlate rewrites the plate read of a vehicle's events to plate.
func withPlate(t testing.TB, evs []records.Event, plate string) []records.Event {
	t.Helper()
	for i, e := range evs {
		if e.Kind != records.KindPlateRead {
			continue
		}
		raw, err := json.Marshal(records.PlateRead{Plate: plate, Region: "US-CA", Confidence: 95})
		if err != nil {
			t.Fatal(err)
		}
		evs[i].Payload = raw
	}
	return evs
}
