package secondary

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// tick delivers the replay's pending tick after the clock moved by d.
func (s *station) tick(d time.Duration) {
	s.t.Helper()
	s.clock.advance(d)
	if s.m.replay == nil {
		s.t.Fatal("no replay running")
	}
	s.send(replayTickMsg{gen: s.m.replay.gen})
}

func (s *station) shown() int { return s.m.replay.shown }

// The replay shows the timeline in event-time order, each event when its
// time comes: at 1× as it happened, at 10× ten times faster. The clock is
// the test's.
func TestReplay(t *testing.T) {
	p := &port{synced: t0}
	// Stored out of order: the replay sorts by event time.
	evs := referredWalker(t, "walker", 0) // 0s, 10s, 20s
	p.add(evs[2], evs[0], evs[1])
	p.add(ev(t, "walker", 80*time.Second, "B7001", "sec-a", records.SecondaryFinding{Category: records.FindingInterview, Text: "visiting family"}))
	clock := &testClock{now: t0.Add(time.Hour)}
	for _, sz := range sizes {
		t.Run(itoa(sz.w), func(t *testing.T) {
			s := newStation(t, p, clock, "sec-a", "B7001", sz.w, sz.h)
			s.keys("enter", "p")
			v := s.view()
			checkSize(t, v, sz.w, sz.h)
			mustContain(t, v, "REPLAY walker", "1× ▶ playing", "0:00:00 of 0:01:20", "1/4 events", "Crossing opened")
			mustNotContain(t, v, "Document keyed")
			if len(s.ticks) == 0 || s.ticks[len(s.ticks)-1] != time.Second {
				t.Fatalf("next tick in %v, want 1s (the next event is 10 s away)", s.ticks)
			}
			s.tick(9 * time.Second)
			if s.shown() != 1 {
				t.Fatalf("%d shown after 9 s", s.shown())
			}
			s.tick(time.Second)
			if s.shown() != 2 {
				t.Fatalf("%d shown after 10 s", s.shown())
			}
			mustContain(t, s.view(), "+0:00:10", "Document keyed")
			// 10×: the 70 s from here to the finding pass in 7 s.
			s.keys("space")
			mustContain(t, s.view(), "10× ▶ playing")
			s.tick(time.Second) // 10 s of record: the referral at 20 s
			if s.shown() != 3 {
				t.Fatalf("%d shown at 10× after 1 s", s.shown())
			}
			s.tick(5 * time.Second)
			if s.shown() != 3 {
				t.Fatalf("%d shown at 10× after 6 s (record 70 s)", s.shown())
			}
			s.tick(time.Second)
			v = s.view()
			mustContain(t, v, "■ finished", "4/4 events", "+0:01:20", "visiting family")
			// In order of event time.
			if strings.Index(v, "Crossing opened") > strings.Index(v, "Document keyed") || strings.Index(v, "Document keyed") > strings.Index(v, "Referred") {
				t.Fatalf("replay out of order:\n%s", v)
			}
			// A tick of an earlier replay changes nothing; p restarts.
			old := s.m.replay.gen
			s.keys("p")
			s.send(replayTickMsg{gen: old})
			if s.shown() != 1 {
				t.Fatalf("%d shown after restart", s.shown())
			}
			// Skip to the next event now.
			s.keys("tab")
			if s.shown() != 2 {
				t.Fatalf("%d shown after skip", s.shown())
			}
			s.keys("esc")
			mustContain(t, s.view(), "CROSSING walker")
			s.keys("esc")
			mustContain(t, s.view(), "REFERRAL QUEUE")
		})
	}
}
