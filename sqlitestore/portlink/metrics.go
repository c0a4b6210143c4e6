package portlink

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portofentry/booth/sqlitestore"
)

// serverMetrics are the port server's counters, exposed in the Prometheus
// text format at /metrics.
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
}

func (m *serverMetrics) batch(result string) {
	c, _ := m.batches.LoadOrStore(result, new(atomic.Int64))
	c.(*atomic.Int64).Add(1)
}

// write renders the metrics; store-derived gauges are read at scrape time.
func (m *serverMetrics) write(ctx context.Context, w io.Writer, store *sqlitestore.Store, now time.Time) error {
	var b strings.Builder
	counter := func(name, help string, v int64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	fmt.Fprintf(&b, "# HELP portserver_ingest_batches_total Event batches received, by result.\n# TYPE portserver_ingest_batches_total counter\n")
	var results []string
	m.batches.Range(func(k, _ any) bool { results = append(results, k.(string)); return true })
	sort.Strings(results)
	for _, r := range results {
		c, _ := m.batches.Load(r)
		fmt.Fprintf(&b, "portserver_ingest_batches_total{result=%q} %d\n", r, c.(*atomic.Int64).Load())
	}
	counter("portserver_ingest_events_total", "Events applied from workstations.", m.eventsApplied.Load())
	counter("portserver_ingest_duplicate_events_total", "Events received again and skipped (resends after a lost ack).", m.eventsDuplicate.Load())
	fmt.Fprintf(&b, "# HELP portserver_ingest_commit_seconds Time to apply and durably commit a batch.\n# TYPE portserver_ingest_commit_seconds summary\n")
	fmt.Fprintf(&b, "portserver_ingest_commit_seconds_sum %g\nportserver_ingest_commit_seconds_count %d\n",
		time.Duration(m.commitNanos.Load()).Seconds(), m.commits.Load())
	counter("portserver_feed_requests_total", "Feed requests served.", m.feedRequests.Load())
	counter("portserver_feed_events_total", "Events sent down the feed.", m.feedEvents.Load())
	counter("portserver_snapshots_total", "Snapshots served.", m.snapshots.Load())
	counter("portserver_reference_downloads_total", "Reference files served.", m.referenceFiles.Load())

	head, err := store.FeedHead(ctx)
	if err != nil {
		return err
	}
	floor, err := store.FeedFloor(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "# HELP portserver_feed_version Newest feed version.\n# TYPE portserver_feed_version gauge\nportserver_feed_version %d\n", head)
	fmt.Fprintf(&b, "# HELP portserver_feed_floor Feed compaction floor.\n# TYPE portserver_feed_floor gauge\nportserver_feed_floor %d\n", floor)
	ws, err := store.Workstations(ctx)
	if err != nil {
		return err
	}
	gauge := func(name, help string, v func(sqlitestore.WorkstationStatus) float64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
		for _, w := range ws {
			fmt.Fprintf(&b, "%s{workstation=%q,role=%q} %g\n", name, w.Origin, w.Role, v(w))
		}
	}
	gauge("portserver_workstation_high_water", "Highest origin_seq held, every lower one present.",
		func(w sqlitestore.WorkstationStatus) float64 { return float64(w.HighWater) })
	gauge("portserver_workstation_backlog", "Events the workstation reported still queued.",
		func(w sqlitestore.WorkstationStatus) float64 { return float64(w.Backlog) })
	gauge("portserver_workstation_lag_seconds", "Booth record to server commit, newest event.",
		func(w sqlitestore.WorkstationStatus) float64 { return w.Lag.Seconds() })
	gauge("portserver_workstation_last_seen_age_seconds", "Seconds since the workstation was last seen.",
		func(w sqlitestore.WorkstationStatus) float64 { return now.Sub(w.LastSeen).Seconds() })
	gauge("portserver_workstation_refused", "1 while the server holds back an event of the workstation.",
		func(w sqlitestore.WorkstationStatus) float64 {
			if w.RefusedSeq > 0 {
				return 1
			}
			return 0
		})
	_, err = io.WriteString(w, b.String())
	return err
}
