package tui

import (
	"sort"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

// BenchmarkPrimaryView renders the primary screen at 120×40 with a full
// vehicle: four travellers, face images, alerts, history. The budget
// (docs/BENCHMARKS.md) is p99 ≤ 2 ms.
func BenchmarkPrimaryView(b *testing.B) {
	e := newBenchEnv(b)
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		v := e.m.View()
		samples = append(samples, time.Since(t0))
		if len(v.Content) == 0 {
			b.Fatal("empty view")
		}
	}
	b.StopTimer()
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "p50-ns/op")
	b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds()), "p99-ns/op")
}

func newBenchEnv(b *testing.B) *testEnv {
	b.Helper()
	e := newTestEnvTB(b, nil)
	// History for every traveller and the plate, as the store would give.
	prior := []HistoryEntry{
		{CrossingID: "h1", At: e.now.Add(-48 * time.Hour), Port: "2608", Lane: "V02", Mode: "vehicle", Outcome: "admitted", Plate: "US-CA/7ABC123"},
		{CrossingID: "h2", At: e.now.Add(-240 * time.Hour), Port: "2608", Lane: "V01", Mode: "vehicle", Outcome: "referred", Plate: "US-CA/7ABC123", Referred: true},
	}
	for _, k := range []string{"USA/900123456", "USA/900123457", "MEX/G12345678", "GBR/533401872", "plate:US-CA/7ABC123"} {
		e.lookups.history[k] = prior
	}
	e.login()
	e.tag(epcGarcia)
	e.advance(time.Second)
	e.tag(epcGarciaLopez)
	e.advance(3 * time.Second)
	e.occupancy(false)
	e.plate("7ABC123", "us-ca", 71, hardware.PlateCandidate{Plate: "7ABC123", Confidence: 71}, hardware.PlateCandidate{Plate: "7A8C123", Confidence: 60})
	e.advance(10 * time.Second)
	e.passport(hernandez)
	e.advance(5 * time.Second)
	e.passport(thompson)
	if n := len(e.m.ws.current().c.Travelers); n != 4 {
		b.Fatalf("%d travellers, want 4", n)
	}
	return e
}
