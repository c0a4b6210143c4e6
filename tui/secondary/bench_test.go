package secondary

import (
	"testing"
	"time"
)

// The queue's View with 200 referrals waiting, at 120×40 (budget: a View
// p99 ≤ 2 ms, docs/design.md §7).
func BenchmarkQueueView(b *testing.B) {
	p := &port{synced: t0}
	for i := range 200 {
		p.add(referredCar(b, "car"+itoa(i), time.Duration(i)*time.Second)...)
	}
	s := newStation(b, p, &testClock{now: t0.Add(time.Hour)}, "sec-a", "B7001", 120, 37)
	b.ResetTimer()
	for b.Loop() {
		_ = s.m.View()
	}
}

// The open crossing's View (viewport over the laid-out record) at 120×40.
func BenchmarkCrossingView(b *testing.B) {
	p := &port{synced: t0}
	p.add(referredCar(b, "car", 0)...)
	s := newStation(b, p, &testClock{now: t0.Add(time.Hour)}, "sec-a", "B7001", 120, 37)
	s.run(s.m.perform(openCrossingAction{id: "car"}))
	b.ResetTimer()
	for b.Loop() {
		_ = s.m.View()
	}
}
