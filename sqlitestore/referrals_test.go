package sqlitestore

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// replica stamps events as a workstation would (origin and gap-free
// sequence) so a test store can apply them as the port's feed.
type replica struct {
	t    testing.TB
	s    *Store
	seqs map[string]int64
	ver  int64
}

func newReplica(t testing.TB, s *Store) *replica {
	return &replica{t: t, s: s, seqs: map[string]int64{}}
}

func (r *replica) apply(origin string, evs ...records.Event) []records.Event {
	r.t.Helper()
	out := make([]records.Event, len(evs))
	for i, e := range evs {
		r.seqs[origin]++
		e.Origin, e.OriginSeq, e.RecordedAt = origin, r.seqs[origin], e.At
		out[i] = e
	}
	r.ver += int64(len(out))
	if _, err := r.s.ApplyFeed(context.Background(), FeedApply{Events: out, Version: r.ver}); err != nil {
		r.t.Fatalf("apply feed: %v", err)
	}
	return out
}

var (
	garcia = traveller{"GARCIA", "MARIA ELENA", "1984-03-17", "USA", "561234567"}
	smith  = traveller{"SMITH", "JOHN", "1970-01-02", "CAN", "AB123456"}
	nguyen = traveller{"NGUYEN", "LAN", "1991-07-30", "VNM", "C0123456"}
)

// referred is a crossing at a primary booth referred at at+30s with an RPM
// alarm (alarm) or a plate lookout (lookout).
func referred(t testing.TB, at time.Time, lane, plate string, alarm, lookout bool, tr traveller) []records.Event {
	evs := vehicleCrossing(t, at, lane, "US-CA", plate, "", true, tr)
	cid := evs[0].CrossingID
	if alarm {
		evs = append(evs, mustEvent(t, cid, records.RPMOccupancy{Occupancy: 7, GammaAlarm: true}, at.Add(5*time.Second), ""))
	}
	if lookout {
		evs = append(evs, mustEvent(t, cid, records.ReferenceChecked{Subject: "plate:US-CA/" + plate,
			Hits: []records.Hit{{ID: "L1", Type: records.HitLookout, Severity: "high"}}}, at.Add(6*time.Second), ""))
	}
	return evs
}

// secondaryScenario fills a replica with: A queued (alarm, taken by two
// officers), B queued earlier (lookout), C admitted at primary, D in
// conflict, E corrected (no conflict), F referred with a free-text LSS
// answer only, G referred twice, taken and refused. It returns the crossing
// ids.
func secondaryScenario(t testing.TB, r *replica) map[string]string {
	ids := map[string]string{}
	add := func(name, origin string, evs ...records.Event) {
		ids[name] = evs[0].CrossingID
		r.apply(origin, evs...)
	}
	add("B", "booth-2", referred(t, t0, "V02", "7ABC123", false, true, smith)...)
	add("A", "booth-1", referred(t, t0.Add(time.Minute), "V01", "8XYZ000", true, false, garcia)...)
	a := ids["A"]
	r.apply("sec-1", mustEvent(t, a, records.SecondaryTaken{}, t0.Add(2*time.Minute), "S1"))
	r.apply("sec-2", mustEvent(t, a, records.SecondaryTaken{}, t0.Add(3*time.Minute), "S2"))
	add("C", "booth-1", vehicleCrossing(t, t0.Add(2*time.Minute), "V01", "US-CA", "5DEF456", "", false, nguyen)...)
	d := referred(t, t0.Add(4*time.Minute), "V03", "1AAA111", false, false, nguyen)
	add("D", "booth-3", d...)
	r.apply("sec-1", mustEvent(t, ids["D"], records.Determination{Outcome: records.OutcomeReleased}, t0.Add(10*time.Minute), "S1"))
	r.apply("sec-2", mustEvent(t, ids["D"], records.Determination{Outcome: records.OutcomeTurnedOver, Agency: "HSI"}, t0.Add(10*time.Minute), "S2"))
	e := referred(t, t0.Add(5*time.Minute), "V03", "2BBB222", false, false, garcia)
	add("E", "booth-3", e...)
	first := r.apply("sec-1", mustEvent(t, ids["E"], records.Determination{Outcome: records.OutcomeAdmitted}, t0.Add(11*time.Minute), "S1"))
	r.apply("sec-1", mustEvent(t, ids["E"], records.Determination{Outcome: records.OutcomeRefused, Supersedes: first[0].ID}, t0.Add(12*time.Minute), "S1"))
	add("F", "booth-2", referred(t, t0.Add(6*time.Minute), "V02", "3CCC333", true, false, smith)...)
	r.apply("sec-2", mustEvent(t, ids["F"], records.LSSAnswered{Occupancy: 7, Answer: "NORM"}, t0.Add(7*time.Minute), "S2"))
	add("G", "booth-1", referred(t, t0.Add(8*time.Minute), "V01", "4GGG444", true, true, nguyen)...)
	r.apply("sec-1", mustEvent(t, ids["G"], records.SecondaryTaken{Note: "mine"}, t0.Add(9*time.Minute), "S1"))
	r.apply("sec-1", mustEvent(t, ids["G"], records.Referred{Reasons: []string{records.ReasonRPMAlarm, records.ReasonRandom}, Note: "second"}, t0.Add(9*time.Minute), "S1"))
	r.apply("sec-1", mustEvent(t, ids["G"], records.Determination{Outcome: records.OutcomeRefused}, t0.Add(13*time.Minute), "S1"))
	return ids
}

func TestQueueAndConflicts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := secondaryScenario(t, newReplica(t, s))
	now := t0.Add(20 * time.Minute)

	q, err := s.Queue(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range q {
		got = append(got, e.CrossingID)
	}
	if want := []string{ids["B"], ids["A"], ids["F"]}; !slices.Equal(got, want) {
		t.Fatalf("queue %v, want B A F %v", got, want)
	}
	// Every line is the fold's own queue entry: the projection adds nothing
	// and loses nothing.
	for _, e := range q {
		c, err := s.Crossing(ctx, e.CrossingID)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.QueueEntry(now); !reflect.DeepEqual(e, want) {
			t.Errorf("queue line\n got %+v\nwant %+v", e, want)
		}
	}
	if a := q[1]; !a.RPMAlarm || a.Lookout || a.TakenBy != "S2@sec-2" || a.Waiting != 19*time.Minute-30*time.Second {
		t.Errorf("A line %+v", a)
	}
	if b := q[0]; b.RPMAlarm || !b.Lookout || b.TakenBy != "" || b.Plate != "US-CA/7ABC123" || !slices.Equal(b.Names, []string{"SMITH, JOHN"}) {
		t.Errorf("B line %+v", b)
	}

	cf, err := s.Conflicts(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cf) != 1 || cf[0].CrossingID != ids["D"] || !cf[0].Conflict ||
		!slices.Equal(cf[0].Outcomes, []records.Outcome{records.OutcomeReleased, records.OutcomeTurnedOver}) {
		t.Fatalf("conflicts %+v", cf)
	}

	// The primary's history shows the outcome, and both outcomes of a
	// conflict, flagged.
	h, err := s.HistoryByDocument(ctx, "VNM", nguyen.number, 10)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]HistoryEntry{}
	for _, e := range h {
		byID[e.CrossingID] = e
	}
	if d := byID[ids["D"]]; !d.Conflict || d.Outcome != "" || len(d.Outcomes) != 2 {
		t.Errorf("history of the conflict %+v", d)
	}
	if c := byID[ids["C"]]; c.Conflict || c.Outcome != records.OutcomeAdmitted || !slices.Equal(c.Outcomes, []records.Outcome{records.OutcomeAdmitted}) {
		t.Errorf("history of the admitted crossing %+v", c)
	}
	h, err = s.HistoryByDocument(ctx, "USA", garcia.number, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range h {
		if e.CrossingID == ids["E"] && (e.Conflict || e.Outcome != records.OutcomeRefused) {
			t.Errorf("corrected crossing in history %+v", e)
		}
		if e.CrossingID == ids["A"] && (e.Outcome != "" || e.Outcomes != nil || !e.Referred) {
			t.Errorf("queued crossing in history %+v", e)
		}
	}
}

func TestQueueLeavesOnDetermination(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	r := newReplica(t, s)
	evs := referred(t, t0, "V01", "7ABC123", true, false, garcia)
	r.apply("booth-1", evs...)
	cid := evs[0].CrossingID
	inQueue := func() bool {
		q, err := s.Queue(ctx, t0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(q) == 1 && q[0].CrossingID == cid
	}
	if !inQueue() {
		t.Fatal("referral not in queue")
	}
	r.apply("sec-1", mustEvent(t, cid, records.LSSAnswered{Occupancy: 7, Isotopes: []records.Isotope{records.IsotopeK40}, Code: records.CodeInnocentNORM}, t0.Add(time.Minute), "S1"))
	if !inQueue() {
		t.Fatal("an LSS answer took the crossing out of the queue")
	}
	r.apply("sec-1", mustEvent(t, cid, records.Determination{Outcome: records.OutcomeAdmitted}, t0.Add(2*time.Minute), "S1"))
	if inQueue() {
		t.Fatal("determined crossing still in queue")
	}
	if cf, _ := s.Conflicts(ctx, t0, 0); len(cf) != 0 {
		t.Fatalf("conflicts %+v", cf)
	}
}

// An event that arrives before the crossing's referral (replication order)
// still gives the same queue line once the referral is there.
func TestQueueOutOfOrderArrival(t *testing.T) {
	ctx := context.Background()
	evs := referred(t, t0, "V01", "7ABC123", true, true, garcia)
	take := mustEvent(t, evs[0].CrossingID, records.SecondaryTaken{}, t0.Add(time.Minute), "S1")
	var want []records.QueueEntry
	for i, order := range [][]int{{0, 1}, {1, 0}} {
		s := openAt(t, t.TempDir()+"/r.db", Options{Origin: "sec-9", Logger: quiet})
		r := newReplica(t, s)
		parts := [][]records.Event{evs, {take}}
		origins := []string{"booth-1", "sec-1"}
		for _, j := range order {
			r.apply(origins[j], parts[j]...)
		}
		q, err := s.Queue(ctx, t0.Add(time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			want = q
			continue
		}
		if !reflect.DeepEqual(q, want) || len(q) != 1 || q[0].TakenBy != "S1@sec-1" {
			t.Errorf("order %v: %+v, want %+v", order, q, want)
		}
	}
}

func TestHistoryByDocumentNumber(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	r := newReplica(t, s)
	r.apply("booth-1", referred(t, t0, "V01", "7ABC123", false, false, smith)...)
	other := smith
	other.country = "USA" // the same number issued by another country
	r.apply("booth-1", vehicleCrossing(t, t0.Add(time.Hour), "V01", "US-CA", "9ZZZ999", "", false, other)...)
	h, err := s.HistoryByDocumentNumber(ctx, " ab-123456 ", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || !h[0].At.After(h[1].At) {
		t.Fatalf("by number: %+v", h)
	}
	if h, _ := s.HistoryByDocumentNumber(ctx, "--", 10); h != nil {
		t.Errorf("empty number found %+v", h)
	}
}

// The queue reads down its index; it never scans crossings or events.
func TestQueueQueryPlan(t *testing.T) {
	s := openTest(t)
	rows, err := s.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+referralsByStateSQL, referralQueue, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "\n")
	if !strings.Contains(joined, "referrals_by_state") || strings.Contains(joined, "SCAN c") || strings.Contains(joined, "TEMP B-TREE") {
		t.Errorf("queue plan:\n%s", joined)
	}
	plan = plan[:0]
	rows2, err := s.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+historyByNumberSQL, "X", 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows2.Close()
	for rows2.Next() {
		var id, parent, notused int
		var detail string
		if err := rows2.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if joined := strings.Join(plan, "\n"); !strings.Contains(joined, "documents_by_number") || strings.Contains(joined, "TEMP B-TREE") {
		t.Errorf("by-number plan:\n%s", joined)
	}
}

// The migration's SQL backfill (for stores written before it) agrees with
// the Go projection on every crossing it can model.
func TestReferralBackfillMatchesProjection(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	r := newReplica(t, s)
	ids := secondaryScenario(t, r)
	e := ids["E"] // a correction: not written before this schema, the SQL does not model it
	dump := func() string {
		rows, err := s.read.QueryContext(ctx, `SELECT r.crossing_id, r.state, r.referred_at, r.referred_by, r.reasons, r.note,
			r.rpm_alarm, r.lookout, r.taken_by, r.taken_at, r.outcomes, c.outcome, c.conflict, c.outcomes
			FROM referrals r JOIN crossings c ON c.id = r.crossing_id WHERE r.crossing_id != ? ORDER BY r.crossing_id`, e)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if n, ok := v.(int64); ok && (cols[i] == "rpm_alarm" || cols[i] == "lookout" || cols[i] == "conflict") {
					v = n != 0
				}
				b.WriteString(cols[i] + "=" + strings.TrimSpace(strings.ReplaceAll(toString(v), "\n", " ")) + " ")
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	want := dump()
	if strings.Count(want, "\n") != 5 {
		t.Fatalf("scenario projected %d referrals:\n%s", strings.Count(want, "\n"), want)
	}
	sqlText, err := os.ReadFile("migrations/0003_referrals.sql")
	if err != nil {
		t.Fatal(err)
	}
	_, backfill, ok := strings.Cut(string(sqlText), "-- backfill")
	if !ok {
		t.Fatal("migration has no backfill marker")
	}
	if _, err := s.write.ExecContext(ctx, `DELETE FROM referrals; UPDATE crossings SET conflict = 0, outcomes = '[]', outcome = 'stale'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `UPDATE crossings SET outcome = '' WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.crossing_id = crossings.id AND e.kind = 'determination')`); err != nil {
		t.Fatal(err)
	}
	// The migration keeps the stored outcome (the only determination's);
	// restore it as the old projection had it.
	if _, err := s.write.ExecContext(ctx, `UPDATE crossings SET outcome = (SELECT json_extract(e.payload, '$.outcome') FROM events e
		WHERE e.crossing_id = crossings.id AND e.kind = 'determination' ORDER BY e.at DESC, e.id DESC LIMIT 1) WHERE outcome = 'stale'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, "-- backfill"+backfill); err != nil {
		t.Fatalf("backfill: %v", err)
	}
	if got := dump(); got != want {
		t.Errorf("backfill differs from the projection:\n got:\n%s\nwant:\n%s", got, want)
	}
	// And RebuildProjections gives the projection again, E included.
	if err := s.RebuildProjections(ctx); err != nil {
		t.Fatal(err)
	}
	if got := dump(); got != want {
		t.Errorf("rebuild differs:\n got:\n%s\nwant:\n%s", got, want)
	}
	if q, err := s.Queue(ctx, t0, 0); err != nil || len(q) != 3 {
		t.Errorf("queue after rebuild: %d, %v", len(q), err)
	}
}

func toString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// BenchmarkQueue reads a queue of 200 referrals in a replica of 20,000
// crossings (the queue query's cost follows the queue, not the database).
func BenchmarkQueue(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, b.TempDir()+"/q.db", Options{Origin: "sec-b", Logger: quiet})
	r := newReplica(b, s)
	var batch []records.Event
	for i := 0; i < 20000; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		tr := traveller{"SURNAME" + strconv.Itoa(i%977), "GIVEN", "1980-01-01", "USA", "N" + strconv.Itoa(i)}
		var evs []records.Event
		if i%100 == 0 {
			evs = referred(b, at, "V01", "P"+strconv.Itoa(i), i%200 == 0, i%300 == 0, tr)
		} else {
			evs = vehicleCrossing(b, at, "V01", "US-CA", "P"+strconv.Itoa(i), "", false, tr)
		}
		batch = append(batch, evs...)
		if len(batch) > 2000 {
			r.apply("booth-1", batch...)
			batch = batch[:0]
		}
	}
	r.apply("booth-1", batch...)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q, err := s.Queue(ctx, t0, 0)
		if err != nil || len(q) != 200 {
			b.Fatalf("queue %d, %v", len(q), err)
		}
	}
}
