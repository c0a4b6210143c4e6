package rpm

import (
	"testing"
	"time"
)

// BenchmarkFeedSample measures one scan-sample line, the RPM's most frequent
// frame (5 a second per occupied lane).
func BenchmarkFeedSample(b *testing.B) {
	d := NewDecoder(Options{})
	line := []byte("GS,000123,000145,000130,000128\r\n")
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		d.Feed(line, now)
	}
}

// BenchmarkFeedOccupancyEnd measures an alarm sample plus the GX line whose
// last byte completes the typed occupancy event (docs/design.md §7: serial frame to
// typed event).
func BenchmarkFeedOccupancyEnd(b *testing.B) {
	d := NewDecoder(Options{})
	sample := []byte("GA,002000,002100,001900,001800\r\n")
	end := []byte("GX,000042,000004500\r\n")
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		d.Feed(sample, now)
		if evs := d.Feed(end, now); len(evs) != 1 {
			b.Fatalf("events = %d", len(evs))
		}
	}
}
