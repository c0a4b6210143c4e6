package sqlitestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

func TestAppendAssignsOriginSeqAndRecordedAt(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	before := time.Now().UTC()
	in := []records.Event{
		opening(t, "C1", t0),
		mustEvent(t, "C1", records.Note{Text: "a"}, t0.Add(time.Second), "B1"),
		mustEvent(t, "C1", records.Note{Text: "b"}, t0.Add(2*time.Second), "B1"),
	}
	fixed := t0.Add(time.Minute)
	in[2].RecordedAt = fixed
	out, err := s.Append(ctx, in...)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range out {
		if e.Origin != "WS-TEST" || e.OriginSeq != int64(i+1) {
			t.Errorf("event %d: origin %q seq %d, want WS-TEST %d", i, e.Origin, e.OriginSeq, i+1)
		}
	}
	if out[0].RecordedAt.Before(before) || out[0].RecordedAt.After(time.Now()) {
		t.Errorf("RecordedAt %v not set to the append time", out[0].RecordedAt)
	}
	if !out[2].RecordedAt.Equal(fixed) {
		t.Errorf("RecordedAt %v overwritten, want %v", out[2].RecordedAt, fixed)
	}
	stored, err := s.Events(ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 3 {
		t.Fatalf("stored %d events, want 3", len(stored))
	}
	for i := range stored {
		if !eventsEqual(stored[i], out[i]) {
			t.Errorf("stored event %d = %+v,\nreturned %+v", i, stored[i], out[i])
		}
	}
}

// eventsEqual compares envelopes and payload bytes exactly.
func eventsEqual(a, b records.Event) bool {
	return a.ID == b.ID && a.CrossingID == b.CrossingID && a.Origin == b.Origin && a.OriginSeq == b.OriginSeq &&
		a.Kind == b.Kind && a.At.Equal(b.At) && a.RecordedAt.Equal(b.RecordedAt) && a.Officer == b.Officer &&
		a.Schema == b.Schema && string(a.Payload) == string(b.Payload)
}

func TestAppendGapFreeAcrossConcurrentAppenders(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cid := fmt.Sprintf("C%d", w)
			for i := range each {
				evs := []records.Event{mustEvent(t, cid, records.Note{Text: fmt.Sprint(i)}, t0.Add(time.Duration(i)*time.Second), "B1")}
				if i%5 == 0 { // some multi-event appends too
					evs = append(evs, mustEvent(t, cid, records.Note{Text: "x"}, t0, "B1"))
				}
				if i == 0 {
					evs = append([]records.Event{opening(t, cid, t0)}, evs...)
				}
				if _, err := s.Append(ctx, evs...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rows, err := s.read.Query(`SELECT origin_seq FROM events WHERE origin = 'WS-TEST' ORDER BY origin_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := int64(1)
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			t.Fatal(err)
		}
		if seq != want {
			t.Fatalf("origin_seq %d where %d expected: gap or duplicate", seq, want)
		}
		want++
	}
	if total := writers * (1 + each + each/5); want-1 != int64(total) {
		t.Fatalf("%d events stored, want %d", want-1, total)
	}
	if n, _, _ := s.Backlog(ctx); n != writers*(1+each+each/5) {
		t.Errorf("backlog %d, want one outbox row per event", n)
	}
}

func TestAppendDuplicateIDsAreIdempotent(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	e := opening(t, "C1", t0)
	first, err := s.Append(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	// Appending the same local event again (a retry) neither stores it
	// twice nor burns a sequence number.
	again, err := s.Append(ctx, e, e)
	if err != nil {
		t.Fatalf("duplicate append: %v", err)
	}
	for _, g := range again {
		if !eventsEqual(g, first[0]) {
			t.Errorf("duplicate returned %+v, want stored %+v", g, first[0])
		}
	}
	next, err := s.Append(ctx, mustEvent(t, "C1", records.Note{Text: "next"}, t0, "B1"))
	if err != nil {
		t.Fatal(err)
	}
	if next[0].OriginSeq != 2 {
		t.Errorf("next local seq = %d, want 2 (a duplicate must not consume a number)", next[0].OriginSeq)
	}
	// A replicated copy of a stored event is skipped too.
	remote := first[0]
	if _, err := s.Append(ctx, remote); err != nil {
		t.Fatalf("replicated duplicate: %v", err)
	}
	if n := rawCount(t, s.read, `SELECT count(*) FROM events`); n != 2 {
		t.Errorf("%d events stored, want 2", n)
	}
	if n := rawCount(t, s.read, `SELECT count(*) FROM outbox`); n != 2 {
		t.Errorf("%d outbox rows, want 2", n)
	}
}

func TestAppendReplicatedEventsStoredAsIs(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	remote := mustEvent(t, "C9", records.Note{Text: "from WS2"}, t0, "B2")
	remote.Origin, remote.OriginSeq = "WS2", 41
	remote.RecordedAt = t0.Add(time.Second)
	unknown := records.Event{
		ID: records.NewID(), CrossingID: "C9", Origin: "WS2", OriginSeq: 42, Kind: "vehicle.teleported",
		At: t0.Add(2 * time.Second), RecordedAt: t0.Add(3 * time.Second), Schema: 7,
		Payload: json.RawMessage(`{"to":"mars","v":[1,2,3]}`),
	}
	newer := mustEvent(t, "C9", records.Note{Text: "v9"}, t0.Add(3*time.Second), "B2")
	newer.Origin, newer.OriginSeq, newer.Schema = "WS2", 43, records.SchemaVersion+8
	out, err := s.Append(ctx, remote, unknown, newer)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.Events(ctx, "C9")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []records.Event{remote, unknown, newer} {
		want.RecordedAt = out[i].RecordedAt
		if !eventsEqual(stored[i], want) {
			t.Errorf("event %d stored as %+v, want verbatim %+v", i, stored[i], want)
		}
	}
	if n, _, _ := s.Backlog(ctx); n != 0 {
		t.Errorf("replicated events entered the outbox: backlog %d", n)
	}
	c, err := s.Crossing(ctx, "C9")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Skipped) != 2 {
		t.Errorf("fold skipped %v, want the unknown and the newer event", c.Skipped)
	}
	// The same origin/seq under another id is a conflict, never a silent drop.
	clash := mustEvent(t, "C9", records.Note{Text: "clash"}, t0, "B2")
	clash.Origin, clash.OriginSeq = "WS2", 41
	if _, err := s.Append(ctx, clash); err == nil {
		t.Error("a second event with the same origin and seq was accepted")
	}
}

func TestAppendRejectsInvalidEventsAtomically(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	good := opening(t, "C1", t0)
	for _, c := range []struct {
		name string
		mut  func(*records.Event)
	}{
		{"empty id", func(e *records.Event) { e.ID = "" }},
		{"empty crossing", func(e *records.Event) { e.CrossingID = "" }},
		{"empty kind", func(e *records.Event) { e.Kind = "" }},
		{"origin without seq", func(e *records.Event) { e.Origin = "WS2" }},
		{"seq without origin", func(e *records.Event) { e.OriginSeq = 3 }},
		{"negative seq", func(e *records.Event) { e.Origin, e.OriginSeq = "WS2", -1 }},
		{"bad JSON", func(e *records.Event) { e.Payload = json.RawMessage(`{"text":`) }},
		{"huge payload", func(e *records.Event) {
			e.Payload = json.RawMessage(`"` + strings.Repeat("x", maxPayloadLen) + `"`)
		}},
		{"long id", func(e *records.Event) { e.ID = strings.Repeat("a", maxFieldLen+1) }},
		{"control char", func(e *records.Event) { e.Officer = "B1\x00" }},
		{"time out of range", func(e *records.Event) { e.At = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := mustEvent(t, "C1", records.Note{Text: "bad"}, t0, "B1")
			c.mut(&bad)
			_, err := s.Append(ctx, good, bad)
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("err = %v, want ErrInvalidEvent", err)
			}
			if n := rawCount(t, s.read, `SELECT count(*) FROM events`); n != 0 {
				t.Fatalf("%d events stored after a refused batch, want 0", n)
			}
		})
	}
	// Nothing was consumed from the sequence either.
	out, err := s.Append(ctx, good)
	if err != nil || out[0].OriginSeq != 1 {
		t.Fatalf("append after refusals: seq %v, %v; want 1", out, err)
	}
}

func TestAppendUpdatesProjection(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tr := traveller{"GARCIA", "MARIA ELENA", "1984-03-17", "USA", "561234567"}
	evs := vehicleCrossing(t, t0, "V03", "us-ca", "7ABC123", "E2003411B802011516121234", true, tr)
	// Appended one at a time, as the booth does.
	for _, e := range evs {
		if _, err := s.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	q, err := s.Referred(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 {
		t.Fatalf("secondary queue %+v, want the referred crossing", q)
	}
	got := q[0]
	if got.ID != evs[0].CrossingID || got.Lane != "V03" || got.Mode != records.ModeVehicle || got.Status != records.StatusReferred ||
		got.Plate != "7ABC123" || !got.Referred || !got.OpenedAt.Equal(t0) || got.Events != len(evs) {
		t.Errorf("summary %+v", got)
	}
	if !slices.Equal(got.Travelers, []string{"GARCIA, MARIA ELENA"}) {
		t.Errorf("travellers %q", got.Travelers)
	}
	// The determination moves it out of the queue.
	det := mustEvent(t, evs[0].CrossingID, records.Determination{Outcome: records.OutcomeReleased}, t0.Add(time.Hour), "S1")
	if _, err := s.Append(ctx, det); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.Referred(ctx); len(q) != 0 {
		t.Errorf("determined crossing still queued: %+v", q)
	}
	c, err := s.Crossing(ctx, evs[0].CrossingID)
	if err != nil || c.Status != records.StatusDetermined || c.Determination.Value.Outcome != records.OutcomeReleased {
		t.Fatalf("Crossing = %+v, %v", c, err)
	}
	if _, err := s.Crossing(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Crossing(unknown) err = %v, want ErrNotFound", err)
	}
}

func TestRecentCrossings(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tr := traveller{"LEE", "ANN", "1990-01-02", "USA", "500000001"}
	for i := range 5 {
		lane := "V01"
		if i%2 == 1 {
			lane = "V02"
		}
		if _, err := s.Append(ctx, vehicleCrossing(t, t0.Add(time.Duration(i)*time.Minute), lane, "us-az", fmt.Sprintf("ABC%04d", i), "", false, tr)...); err != nil {
			t.Fatal(err)
		}
	}
	v1, err := s.RecentCrossings(ctx, "V01", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(v1) != 2 || v1[0].Plate != "ABC0004" || v1[1].Plate != "ABC0002" {
		t.Errorf("RecentCrossings(V01, 2) = %+v, want plates ABC0004, ABC0002", v1)
	}
	all, err := s.RecentCrossings(ctx, "", 0)
	if err != nil || len(all) != 5 || all[0].Plate != "ABC0004" || all[4].Plate != "ABC0000" {
		t.Errorf("RecentCrossings(all) = %+v, %v", all, err)
	}
	if all[0].Outcome != records.OutcomeAdmitted || all[0].Status != records.StatusClosed {
		t.Errorf("outcome/status %q/%q", all[0].Outcome, all[0].Status)
	}
}

// dumpProjections renders every projection row, for comparing the
// incrementally maintained projections with rebuilt ones.
func dumpProjections(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT * FROM crossings ORDER BY id`,
		`SELECT * FROM crossing_travelers ORDER BY crossing_id, ord`,
		`SELECT * FROM crossing_documents ORDER BY crossing_id, doc_key`,
		`SELECT * FROM crossing_plates ORDER BY crossing_id`,
		`SELECT * FROM crossing_epcs ORDER BY crossing_id, epc`,
	} {
		rows, err := s.read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%q %v\n", q, vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

// TestAppendCacheStaysTrueToTheLog interleaves appends (served by the
// append cache) with writes that bypass Append (replicated events of the
// same crossings, including this workstation's own events coming back) and
// a failed append, then checks sequences and that the projections equal a
// rebuild from the log.
func TestAppendCacheStaysTrueToTheLog(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	trips := [][]records.Event{
		vehicleCrossing(t, t0, "V01", "CA", "7ABC123", "E200001", false, traveller{"GARCIA", "ANA", "1980-02-03", "USA", "X1"}),
		vehicleCrossing(t, t0.Add(time.Minute), "V02", "BC", "K55XYZ", "", true, traveller{"SMITH", "BOB", "1975-06-07", "CAN", "Y2"}),
	}
	seq := int64(0)
	appendOne := func(e records.Event) {
		t.Helper()
		out, err := s.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		if out[0].OriginSeq != seq {
			t.Fatalf("origin_seq %d, want %d", out[0].OriginSeq, seq)
		}
	}
	// First half of each crossing through Append, so both are cached.
	for _, tr := range trips {
		for _, e := range tr[:len(tr)/2] {
			appendOne(e)
		}
	}
	// Another workstation's event on the first crossing, through the feed.
	other := mustEvent(t, trips[0][0].CrossingID, passportRead(traveller{"LOPEZ", "EVA", "1990-01-01", "MEX", "Z3"}), t0.Add(4*time.Second), "B9")
	other.Origin, other.OriginSeq = "WS-OTHER", 1
	if _, err := s.ApplyFeed(ctx, FeedApply{Events: []records.Event{other}}); err != nil {
		t.Fatal(err)
	}
	// This workstation's own next event coming back from the port (restore):
	// Append must continue after it.
	own := mustEvent(t, trips[1][0].CrossingID, records.Note{Text: "from the port"}, t0.Add(time.Minute+5*time.Second), "B1")
	seq++
	own.Origin, own.OriginSeq = "WS-TEST", seq
	if _, err := s.ApplyFeed(ctx, FeedApply{Events: []records.Event{own}}); err != nil {
		t.Fatal(err)
	}
	// A failed append touching both crossings stores nothing and leaves the
	// cache consistent.
	bad := mustEvent(t, trips[1][0].CrossingID, records.Note{Text: "bad"}, t0, "B1")
	bad.Payload = json.RawMessage("{not json")
	if _, err := s.Append(ctx, mustEvent(t, trips[0][0].CrossingID, records.Note{Text: "lost"}, t0, "B1"), bad); !errors.Is(err, ErrInvalidEvent) {
		t.Fatalf("append with an invalid event: %v, want ErrInvalidEvent", err)
	}
	for _, tr := range trips {
		for _, e := range tr[len(tr)/2:] {
			appendOne(e)
		}
	}
	for i, tr := range trips {
		evs, err := s.Events(ctx, tr[0].CrossingID)
		if err != nil {
			t.Fatal(err)
		}
		want := len(tr) + 1 // the replicated event of each crossing
		if len(evs) != want {
			t.Errorf("crossing %d: %d events stored, want %d", i, len(evs), want)
		}
	}
	live := dumpProjections(t, s)
	if !strings.Contains(live, "LOPEZ") {
		t.Errorf("the replicated traveller is missing from the projections:\n%s", live)
	}
	if err := s.RebuildProjections(ctx); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dumpProjections(t, s); rebuilt != live {
		t.Errorf("projections after cached appends differ from a rebuild:\n got %s\nwant %s", live, rebuilt)
	}
	// And appends after the rebuild still number on.
	appendOne(mustEvent(t, trips[0][0].CrossingID, records.Note{Text: "after rebuild"}, t0.Add(time.Hour), "B1"))
}

// TestAppendGroupCommit queues concurrent calls behind a busy writer so they
// are committed as one group, one of them invalid: only that call fails,
// the others get gap-free sequence numbers and survive a reopen.
func TestAppendGroupCommit(t *testing.T) {
	path := t.TempDir() + "/booth.db"
	s, err := Open(context.Background(), path, Options{Origin: "WS-TEST", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The three crossings are opened first (sequences 1-3).
	for i := range 3 {
		openCrossing(t, s, fmt.Sprintf("C%d", i))
	}
	const opened = 3
	// Hold the writer's only connection so the calls pile up.
	conn, err := s.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const calls, badCall = 9, 5
	type result struct {
		out []records.Event
		err error
	}
	results := make([]result, calls)
	sent := make([][]records.Event, calls)
	for i := range calls {
		sent[i] = []records.Event{mustEvent(t, fmt.Sprintf("C%d", i%3), records.Note{Text: fmt.Sprint(i)}, t0.Add(time.Duration(i)*time.Second), "B1")}
		if i == badCall {
			bad := mustEvent(t, "C0", records.Note{Text: "bad"}, t0, "B1")
			bad.Payload = json.RawMessage("{not json")
			sent[i] = append(sent[i], bad)
		}
	}
	var wg sync.WaitGroup
	start := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.Append(ctx, sent[i]...)
			results[i] = result{out, err}
		}()
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; {
			s.group.mu.Lock()
			ok := cond()
			s.group.mu.Unlock()
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// The first caller leads, takes its group (itself) and waits for the
	// connection; the rest queue behind it as the next group.
	start(0)
	waitFor("a leader", func() bool { return s.group.leading && len(s.group.pending) == 0 })
	for i := 1; i < calls; i++ {
		start(i)
	}
	waitFor("the calls to queue", func() bool { return len(s.group.pending) == calls-1 })
	conn.Close()
	wg.Wait()
	if s.group.largest != calls-1 {
		t.Errorf("largest group %d calls, want %d", s.group.largest, calls-1)
	}
	var seqs []int64
	for i, r := range results {
		if i == badCall {
			if !errors.Is(r.err, ErrInvalidEvent) {
				t.Errorf("call %d: %v, want ErrInvalidEvent", i, r.err)
			}
			continue
		}
		if r.err != nil {
			t.Fatalf("call %d: %v", i, r.err)
		}
		seqs = append(seqs, r.out[0].OriginSeq)
	}
	slices.Sort(seqs)
	for i, n := range seqs {
		if n != int64(opened+i+1) {
			t.Fatalf("sequences %v are not %d..%d", seqs, opened+1, opened+calls-1)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path, Options{Origin: "WS-TEST"})
	for i, r := range results {
		e, found, err := eventByID(ctx, s.read, sent[i][0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if i == badCall {
			if found {
				t.Errorf("the valid event of the failed call was stored: %+v", e)
			}
			continue
		}
		if !found || !eventsEqual(e, r.out[0]) {
			t.Errorf("call %d: stored %+v (found %v), returned %+v", i, e, found, r.out[0])
		}
	}
	live := dumpProjections(t, s)
	if err := s.RebuildProjections(ctx); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dumpProjections(t, s); rebuilt != live {
		t.Errorf("group-committed projections differ from a rebuild:\n got %s\nwant %s", live, rebuilt)
	}
	out, err := s.Append(ctx, mustEvent(t, "C1", records.Note{Text: "next"}, t0, "B1"))
	if err != nil || out[0].OriginSeq != opened+calls {
		t.Errorf("next append: seq %v, %v; want %d", out, err, opened+calls)
	}
}
