package secondary

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

var sizes = []struct{ w, h int }{{80, 21}, {200, 57}} // bodies of 80×24 and 200×60 terminals

// The queue lists every referral oldest first with waiting time, lane,
// plate, names, reasons, markers in words, and who took it; at both sizes.
func TestQueueView(t *testing.T) {
	for _, sz := range sizes {
		t.Run(itoa(sz.w), func(t *testing.T) {
			p := &port{synced: t0.Add(time.Hour)}
			p.add(referredWalker(t, "walker", 20*time.Minute)...)
			p.add(referredCar(t, "car", 0)...)
			clock := &testClock{now: t0.Add(time.Hour)}
			s := newStation(t, p, clock, "sec-a", "B7001", sz.w, sz.h)
			v := s.view()
			checkSize(t, v, sz.w, sz.h)
			mustContain(t, v, "REFERRAL QUEUE", "2 waiting", "oldest 59m", "V02", "US-CA/7ABC123", "GARCIA, MARIA",
				"☢RPM", "⚠LOOK", "P01", "THOMPSON", "replica synced 0s ago")
			if sz.w >= 100 {
				mustContain(t, v, "RPM,LOOK", "RAND")
			}
			// Oldest first: the car (referred at 0:30) before the walker (20:20).
			if strings.Index(v, "GARCIA") > strings.Index(v, "THOMPSON") {
				t.Fatalf("queue not oldest first:\n%s", v)
			}
			// Nobody took either.
			if strings.Count(v, "—") < 2 {
				t.Fatalf("taken-by column does not say nobody:\n%s", v)
			}
		})
	}
}

// A referral that reaches the replica appears without a key press: the feed
// puller's notice reloads the queue, and the selection stays on the crossing
// it was on.
func TestQueueUpdatesOnReplicaChange(t *testing.T) {
	p := &port{synced: t0}
	p.add(referredCar(t, "car", 0)...)
	clock := &testClock{now: t0.Add(10 * time.Minute)}
	s := newStation(t, p, clock, "sec-a", "B7001", 80, 21)
	mustContain(t, s.view(), "1 waiting")
	mustNotContain(t, s.view(), "THOMPSON")
	// Someone older arrives: it goes first, the selection stays on the car.
	p.add(referredWalker(t, "walker", -5*time.Minute)...)
	s.changed()
	v := s.view()
	mustContain(t, v, "2 waiting", "THOMPSON")
	if s.m.selectedEntryID() != "car" {
		t.Fatalf("selection moved to %q", s.m.selectedEntryID())
	}
	// A stale answer (an earlier read finishing late) changes nothing.
	old := s.m.loadQueue()
	p.add(referredWalker(t, "walker2", 0)...)
	s.changed()
	s.run(old)
	mustContain(t, s.view(), "3 waiting")
}

// The replica's age is on the queue, and a stale replica says so in words.
func TestQueueSaysReplicaIsStale(t *testing.T) {
	p := &port{synced: t0}
	clock := &testClock{now: t0.Add(7 * time.Minute)}
	s := newStation(t, p, clock, "sec-a", "B7001", 80, 21)
	mustContain(t, s.view(), "⚠ STALE replica: last synced 7m ago", "no referral waiting")
}

// t takes the selected referral: this screen says "you", another
// workstation's says who, once its replica has the event.
func TestTakeShowsEverywhere(t *testing.T) {
	p := &port{synced: t0}
	p.add(referredCar(t, "car", 0)...)
	clock := &testClock{now: t0.Add(5 * time.Minute)}
	a := newStation(t, p, clock, "sec-a", "B7001", 200, 57)
	b := newStation(t, p, clock, "sec-b", "B7002", 200, 57)
	a.keys("t")
	mustContain(t, a.view(), "▶ you")
	b.changed()
	mustContain(t, b.view(), "B7001@sec-a")
	// b takes it over; a sees it after its next change notice.
	if st := b.status(keyMsg("t")); !strings.Contains(st.Text, "taken over from B7001@sec-a") {
		t.Fatalf("status %q", st.Text)
	}
	mustContain(t, b.view(), "▶ you")
	a.changed()
	mustContain(t, a.view(), "B7002@sec-b")
	// Taking one's own again writes nothing.
	n := len(p.events)
	a.keys("enter")
	b.keys("enter", "t")
	if len(p.events) != n {
		t.Fatalf("taking one's own referral again wrote %d events", len(p.events)-n)
	}
	mustContain(t, b.view(), "TAKEN BY B7002@sec-b (you)")
	mustContain(t, a.view(), "TAKEN BY B7002@sec-b")
}

// Keys move the selection, and the queue scrolls to keep it in sight.
func TestQueueScrolls(t *testing.T) {
	p := &port{synced: t0}
	for i := range 30 {
		p.add(referredWalker(t, "w"+itoa(i), time.Duration(i)*time.Minute)...)
	}
	clock := &testClock{now: t0.Add(time.Hour)}
	s := newStation(t, p, clock, "sec-a", "B7001", 80, 21)
	for range 25 {
		s.keys("j")
	}
	v := s.view()
	checkSize(t, v, 80, 21)
	if s.m.selectedEntryID() != "w25" {
		t.Fatalf("selected %s", s.m.selectedEntryID())
	}
	mustContain(t, v, "▸ ")
	s.keys("enter")
	mustContain(t, s.view(), "CROSSING w25")
	if len(s.audit) == 0 || s.audit[len(s.audit)-1] != "B7001 view crossing w25" {
		t.Fatalf("opening was not audited: %v", s.audit)
	}
	s.keys("esc")
	mustContain(t, s.view(), "REFERRAL QUEUE")
}

// A queue that cannot be read says why; the last list stays.
func TestQueueReadError(t *testing.T) {
	p := &port{synced: t0}
	p.add(referredCar(t, "car", 0)...)
	clock := &testClock{now: t0}
	s := newStation(t, p, clock, "sec-a", "B7001", 80, 21)
	s.m.deps.Store = failingStore{s.m.deps.Store}
	s.changed()
	mustContain(t, s.view(), "✖ read the queue: replica down", "GARCIA")
}

var itoa = strconv.Itoa

// failingStore is a replica whose queue cannot be read.
type failingStore struct{ Store }

func (failingStore) Queue(ctx context.Context) ([]records.QueueEntry, error) { return nil, errTestDown }
