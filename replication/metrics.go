package replication

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

	"github.com/portofentry/booth/records"
)

// serverMetrics are the port server's counters, exposed through the
// Prometheus client at /metrics. The request paths bump plain atomics (no
// allocation, usable as a zero value); a collector turns them into metrics at
// scrape time, next to the Go runtime and process collectors.
type serverMetrics struct {
	batches         sync.Map // result code -> *atomic.Int64
	eventsApplied   atomic.Int64
	eventsDuplicate atomic.Int64
	commitNanos     atomic.Int64
	commits         atomic.Int64
	feedRequests    atomic.Int64
	feedEvents      atomic.Int64
	snapshots       atomic.Int64
	referenceFiles  atomic.Int64

	regOnce sync.Once
	reg     *prometheus.Registry
}

func (m *serverMetrics) batch(result string) {
	c, _ := m.batches.LoadOrStore(result, new(atomic.Int64))
	c.(*atomic.Int64).Add(1)
}

// registry is the long-lived registry: the server's counters and the Go
// runtime and process collectors (memory, goroutines, open files).
func (m *serverMetrics) registry() *prometheus.Registry {
	m.regOnce.Do(func() {
		m.reg = prometheus.NewRegistry()
		m.reg.MustRegister(
			counterCollector{m},
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
	})
	return m.reg
}

// write renders the metrics in the Prometheus text format. Store-derived
// gauges are read at scrape time, under the request's context, so a failing
// database fails the scrape instead of reporting stale numbers.
func (m *serverMetrics) write(ctx context.Context, w io.Writer, store metricsSource, now time.Time) error {
	snap, err := readStoreSnapshot(ctx, store, now)
	if err != nil {
		return err
	}
	scrape := prometheus.NewRegistry()
	if err := scrape.Register(snap); err != nil {
		return fmt.Errorf("metrics: register store gauges: %w", err)
	}
	families, err := prometheus.Gatherers{m.registry(), scrape}.Gather()
	if err != nil {
		return fmt.Errorf("metrics: gather: %w", err)
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return fmt.Errorf("metrics: encode %s: %w", f.GetName(), err)
		}
	}
	return nil
}

var (
	descBatches = prometheus.NewDesc("portserver_ingest_batches_total",
		"Event batches received, by result.", []string{"result"}, nil)
	descEventsApplied = prometheus.NewDesc("portserver_ingest_events_total",
		"Events applied from workstations.", nil, nil)
	descEventsDuplicate = prometheus.NewDesc("portserver_ingest_duplicate_events_total",
		"Events received again and skipped (resends after a lost ack).", nil, nil)
	descCommit = prometheus.NewDesc("portserver_ingest_commit_seconds",
		"Time to apply and durably commit a batch.", nil, nil)
	descFeedRequests = prometheus.NewDesc("portserver_feed_requests_total",
		"Feed requests served.", nil, nil)
	descFeedEvents = prometheus.NewDesc("portserver_feed_events_total",
		"Events sent down the feed.", nil, nil)
	descSnapshots = prometheus.NewDesc("portserver_snapshots_total",
		"Snapshots served.", nil, nil)
	descReferenceFiles = prometheus.NewDesc("portserver_reference_downloads_total",
		"Reference files served.", nil, nil)

	descFeedVersion = prometheus.NewDesc("portserver_feed_version",
		"Newest feed version.", nil, nil)
	descFeedFloor = prometheus.NewDesc("portserver_feed_floor",
		"Feed compaction floor.", nil, nil)
	wsLabels      = []string{"workstation", "role"}
	descHighWater = prometheus.NewDesc("portserver_workstation_high_water",
		"Highest origin_seq held, every lower one present.", wsLabels, nil)
	descBacklog = prometheus.NewDesc("portserver_workstation_backlog",
		"Events the workstation reported still queued.", wsLabels, nil)
	descLag = prometheus.NewDesc("portserver_workstation_lag_seconds",
		"Booth record to server commit, newest event.", wsLabels, nil)
	descLastSeenAge = prometheus.NewDesc("portserver_workstation_last_seen_age_seconds",
		"Seconds since the workstation was last seen.", wsLabels, nil)
	descRefused = prometheus.NewDesc("portserver_workstation_refused",
		"1 while the server holds back an event of the workstation.", wsLabels, nil)
	descMissingOpenings = prometheus.NewDesc("portserver_crossings_without_opening",
		"Crossings whose crossing.opened never arrived, by the workstation that sent their first event.",
		[]string{"workstation"}, nil)
)

// counterCollector exposes serverMetrics' atomics as const metrics.
type counterCollector struct{ m *serverMetrics }

func (c counterCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBatches, descEventsApplied, descEventsDuplicate, descCommit,
		descFeedRequests, descFeedEvents, descSnapshots, descReferenceFiles} {
		ch <- d
	}
}

func (c counterCollector) Collect(ch chan<- prometheus.Metric) {
	m := c.m
	var results []string
	m.batches.Range(func(k, _ any) bool { results = append(results, k.(string)); return true })
	sort.Strings(results)
	for _, r := range results {
		v, _ := m.batches.Load(r)
		ch <- prometheus.MustNewConstMetric(descBatches, prometheus.CounterValue, float64(v.(*atomic.Int64).Load()), r)
	}
	counter := func(d *prometheus.Desc, v *atomic.Int64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v.Load()))
	}
	counter(descEventsApplied, &m.eventsApplied)
	counter(descEventsDuplicate, &m.eventsDuplicate)
	// Two atomics, so a commit finishing mid-scrape may show in one and not
	// yet the other; the next scrape agrees again.
	ch <- prometheus.MustNewConstSummary(descCommit, uint64(m.commits.Load()),
		time.Duration(m.commitNanos.Load()).Seconds(), nil)
	counter(descFeedRequests, &m.feedRequests)
	counter(descFeedEvents, &m.feedEvents)
	counter(descSnapshots, &m.snapshots)
	counter(descReferenceFiles, &m.referenceFiles)
}

// storeSnapshot holds the store-derived gauges of one scrape, read before
// gathering because a collector cannot take a context or return an error.
type storeSnapshot struct {
	head, floor  int64
	workstations []records.WorkstationStatus
	missing      map[string]int // crossings without an opening, by workstation
	now          time.Time
}

func readStoreSnapshot(ctx context.Context, store metricsSource, now time.Time) (*storeSnapshot, error) {
	s := &storeSnapshot{now: now}
	var err error
	if s.head, err = store.FeedHead(ctx); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if s.floor, err = store.FeedFloor(ctx); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if s.workstations, err = store.Workstations(ctx); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if s.missing, err = store.MissingOpeningsByOrigin(ctx); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return s, nil
}

func (s *storeSnapshot) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFeedVersion, descFeedFloor,
		descHighWater, descBacklog, descLag, descLastSeenAge, descRefused, descMissingOpenings} {
		ch <- d
	}
}

func (s *storeSnapshot) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descFeedVersion, prometheus.GaugeValue, float64(s.head))
	ch <- prometheus.MustNewConstMetric(descFeedFloor, prometheus.GaugeValue, float64(s.floor))
	for ws, n := range s.missing {
		ch <- prometheus.MustNewConstMetric(descMissingOpenings, prometheus.GaugeValue, float64(n), ws)
	}
	for _, w := range s.workstations {
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, w.Origin, w.Role)
		}
		gauge(descHighWater, float64(w.HighWater))
		gauge(descBacklog, float64(w.Backlog))
		gauge(descLag, w.Lag.Seconds())
		gauge(descLastSeenAge, s.now.Sub(w.LastSeen).Seconds())
		refused := 0.0
		if w.RefusedSeq > 0 {
			refused = 1
		}
		gauge(descRefused, refused)
	}
}
