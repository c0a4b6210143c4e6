package lpr

import (
	"testing"
	"time"
)

// BenchmarkFeedPlate measures a typical alpr_results line from its last byte
// to the typed plate event (docs/design.md §7: serial frame to typed event).
func BenchmarkFeedPlate(b *testing.B) {
	d := NewDecoder(Options{})
	line := []byte(frameJSON(0, abc) + "\n")
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if evs := d.Feed(line, t0); len(evs) != 1 {
			b.Fatalf("events = %d", len(evs))
		}
	}
}

// BenchmarkFeedHeartbeat measures the cheapest, most frequent frame.
func BenchmarkFeedHeartbeat(b *testing.B) {
	d := NewDecoder(Options{})
	line := []byte(`{"data_type":"heartbeat","uptime":123}` + "\n")
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		d.Feed(line, now)
	}
}
