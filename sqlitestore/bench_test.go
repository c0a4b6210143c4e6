package sqlitestore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore/internal/synth"
)

// Benchmarks of the storage budgets (docs/design.md §7). See docs/BENCHMARKS.md for
// the commands and the numbers.

const benchSeed = 2504

// benchDataVersion names the layout of cached benchmark databases; bump it
// when the schema or the generator changes so stale caches are rebuilt.
const benchDataVersion = 2

// benchStore opens a database of n synthetic crossings, generating it once
// and caching it under the temp dir keyed by size and seed (a marker file
// says the generation finished), so reruns start at once.
func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("booth-bench-v%d-%d-seed%d", benchDataVersion, n, benchSeed))
	path := filepath.Join(dir, "booth.db")
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err != nil {
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		s, err := Open(context.Background(), path, Options{Origin: "BENCH", Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		st, err := generateCrossings(context.Background(), s, n, benchSeed)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.write.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		s.Close()
		el := time.Since(start)
		b.Logf("generated %d crossings, %d events in %v (%.0f events/s)", st.Crossings, st.Events, el, float64(st.Events)/el.Seconds())
		if err := os.WriteFile(done, []byte(fmt.Sprintf("%d crossings, %d events, %v\n", st.Crossings, st.Events, el)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	s, err := Open(context.Background(), path, Options{Origin: "BENCH", Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// reportLatency reports the median and 99th percentile of the per-op
// durations as custom metrics.
func reportLatency(b *testing.B, prefix string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), prefix+"p50-ns/op")
	b.ReportMetric(float64(d[min(len(d)-1, len(d)*99/100)].Nanoseconds()), prefix+"p99-ns/op")
}

func sizeName(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// BenchmarkHistory measures the look-ups a booth makes while a car waits,
// at 1k and 100k crossings, 1M with BOOTH_BENCH_1M=1 and 5M with
// BOOTH_BENCH_5M=1. Subjects are drawn
// with the same skew as the generated traffic: frequent travellers, long
// histories, are asked about most.
func BenchmarkHistory(b *testing.B) {
	sizes := []int{1000, 100_000}
	if os.Getenv("BOOTH_BENCH_1M") == "1" { // an intermediate point for the growth curve
		sizes = append(sizes, 1_000_000)
	}
	if os.Getenv("BOOTH_BENCH_5M") == "1" {
		sizes = append(sizes, 5_000_000)
	}
	ctx := context.Background()
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := benchStore(b, n)
			people := synth.Population(n, benchSeed)
			var withPlate, withCard []*synth.Person
			for i := range people {
				if people[i].Plate != "" {
					withPlate = append(withPlate, &people[i])
				}
				if people[i].EPC != "" {
					withCard = append(withCard, &people[i])
				}
			}
			lookups := []struct {
				name string
				pool []*synth.Person
				fn   func(p *synth.Person) ([]HistoryEntry, error)
			}{
				{"document", nil, func(p *synth.Person) ([]HistoryEntry, error) {
					return s.HistoryByDocument(ctx, p.DocCountry, p.DocNumber, 20)
				}},
				{"name_dob", nil, func(p *synth.Person) ([]HistoryEntry, error) {
					return s.HistoryByNameDOB(ctx, p.Surname, "", p.Birth, 20)
				}},
				{"plate", withPlate, func(p *synth.Person) ([]HistoryEntry, error) {
					return s.HistoryByPlate(ctx, p.Region, p.Plate, 20)
				}},
				{"epc", withCard, func(p *synth.Person) ([]HistoryEntry, error) {
					return s.HistoryByEPC(ctx, p.EPC, 20)
				}},
			}
			for _, lk := range lookups {
				pool := lk.pool
				if pool == nil {
					pool = make([]*synth.Person, len(people))
					for i := range people {
						pool[i] = &people[i]
					}
				}
				b.Run(lk.name, func(b *testing.B) {
					rng := rand.New(rand.NewPCG(1, 2))
					d := make([]time.Duration, 0, b.N)
					hits := 0
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						p := pool[synth.Pick(rng, len(pool))]
						start := time.Now()
						h, err := lk.fn(p)
						d = append(d, time.Since(start))
						if err != nil {
							b.Fatal(err)
						}
						hits += len(h)
					}
					b.StopTimer()
					reportLatency(b, "", d)
					b.ReportMetric(float64(hits)/float64(b.N), "rows/op")
				})
			}
		})
	}
}

// openDurableBench opens a store and, in the same directory, the raw file
// the durable-append benchmarks write and fsync for comparison.
func openDurableBench(b *testing.B) (*Store, *os.File) {
	b.Helper()
	dir := b.TempDir()
	s, err := Open(context.Background(), filepath.Join(dir, "booth.db"), Options{Origin: "WS-BENCH", Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	raw, err := os.OpenFile(filepath.Join(dir, "raw.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	return s, raw
}

// durableBenchEvent is the i-th event a busy booth appends to *cid: a note,
// and a new crossing every 20 events.
func durableBenchEvent(cid *string, i int) records.Event {
	if i%20 == 0 {
		*cid = records.NewID()
		e, _ := records.NewEvent(*cid, records.CrossingOpened{Port: "2504", Lane: "V01", Mode: records.ModeVehicle}, time.Now(), "")
		return e
	}
	e, _ := records.NewEvent(*cid, records.Note{Text: "officer note about the vehicle and its occupants"}, time.Now(), "B1234")
	return e
}

// durableBenchRecord is the raw record written per event: envelope plus
// payload, about one event row.
func durableBenchRecord() []byte {
	cid := "x"
	return make([]byte, 150+len(durableBenchEvent(&cid, 1).Payload))
}

// BenchmarkDurableAppend compares a durable Append of one event per
// transaction with a raw write+fsync of the same number of bytes to a file
// in the same directory, interleaved op by op so both see the same disk
// conditions. commit-%-of-fsync is the Append rate as a percentage of the
// raw fsync rate (budget: >= 90).
func BenchmarkDurableAppend(b *testing.B) {
	ctx := context.Background()
	s, raw := openDurableBench(b)

	var cid string
	next := func(i int) records.Event { return durableBenchEvent(&cid, i) }
	buf := durableBenchRecord()
	for i := range 50 { // warm up: WAL grown, caches filled
		if _, err := s.Append(ctx, next(i)); err != nil {
			b.Fatal(err)
		}
	}
	var dApp, dRaw []time.Duration
	var sumApp, sumRaw time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := next(i)
		start := time.Now()
		if _, err := raw.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := raw.Sync(); err != nil {
			b.Fatal(err)
		}
		r := time.Since(start)
		start = time.Now()
		if _, err := s.Append(ctx, e); err != nil {
			b.Fatal(err)
		}
		a := time.Since(start)
		dRaw, dApp = append(dRaw, r), append(dApp, a)
		sumRaw += r
		sumApp += a
	}
	b.StopTimer()
	reportLatency(b, "append-", dApp)
	reportLatency(b, "fsync-", dRaw)
	b.ReportMetric(100*float64(sumRaw)/float64(sumApp), "commit-%-of-fsync")
}

// BenchmarkDurableAppendConcurrent is BenchmarkDurableAppend with the
// booth's concurrency: 4 goroutines (devices, officer commands) each
// appending one event per call, so Append's group commit can share one
// fsync among them. Rounds of 4×8 appends alternate with the same number of
// raw write+fsync calls so both see the same disk. events/s is the Append
// rate; commit-%-of-fsync is it as a percentage of the raw fsync rate.
func BenchmarkDurableAppendConcurrent(b *testing.B) {
	const writers, perRound = 4, 8
	ctx := context.Background()
	s, raw := openDurableBench(b)
	// Each writer feeds its own crossing, a new one every 20 events.
	next := durableBenchEvent
	cids := make([]string, writers)
	counts := make([]int, writers)
	buf := durableBenchRecord()
	round := func(n int) (time.Duration, error) {
		start := time.Now()
		errs := make(chan error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n {
					if _, err := s.Append(ctx, next(&cids[w], counts[w])); err != nil {
						errs <- err
						return
					}
					counts[w]++
				}
			}()
		}
		wg.Wait()
		close(errs)
		return time.Since(start), <-errs
	}
	if _, err := round(perRound); err != nil { // warm up
		b.Fatal(err)
	}
	var sumApp, sumRaw time.Duration
	events := 0
	b.ResetTimer()
	for events < b.N {
		n := min(perRound, (b.N-events+writers-1)/writers)
		start := time.Now()
		for range n * writers {
			if _, err := raw.Write(buf); err != nil {
				b.Fatal(err)
			}
			if err := raw.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		sumRaw += time.Since(start)
		d, err := round(n)
		if err != nil {
			b.Fatal(err)
		}
		sumApp += d
		events += n * writers
	}
	b.StopTimer()
	b.ReportMetric(float64(events)/sumApp.Seconds(), "events/s")
	b.ReportMetric(100*float64(sumRaw)/float64(sumApp), "commit-%-of-fsync")
}

// BenchmarkGenerate measures the synthetic bulk loader (crossings/s), which
// bounds how long building a benchmark database takes.
func BenchmarkGenerate(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "gen.db"), Options{Origin: "WS-BENCH", Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const per = 5000
	events := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := generateCrossings(ctx, s, per, uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		events += st.Events
	}
	b.StopTimer()
	b.ReportMetric(float64(per*b.N)/b.Elapsed().Seconds(), "crossings/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
