package replication

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/portofentry/booth/sqlitestore"
)

// scrape fetches /metrics through the real server handler (mTLS on
// loopback) and parses it with the Prometheus text parser.
func scrape(t *testing.T, c *Client) map[string]*dto.MetricFamily {
	t.Helper()
	body, err := c.Get(context.Background(), PathMetrics)
	if err != nil {
		t.Fatalf("GET %s: %v", PathMetrics, err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse metrics: %v\n%s", err, body)
	}
	return fams
}

// sample finds the value of the family's sample whose labels include want.
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, typ dto.MetricType, want map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("metric %s missing", name)
	}
	if f.GetType() != typ {
		t.Fatalf("metric %s is a %v, want %v", name, f.GetType(), typ)
	}
next:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch typ {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue()
		case dto.MetricType_SUMMARY:
			return float64(m.GetSummary().GetSampleCount())
		}
	}
	t.Fatalf("metric %s has no sample with labels %v", name, want)
	return 0
}

func TestMetricsScrapeCountsWhatTheServerDid(t *testing.T) {
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	ctx := context.Background()
	booth := openStore(t, "booth-1")
	evs := appendCrossing(t, booth, 5, false)
	primary := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1"))
	sup := newClient(t, srv.url, pki.client(t, RoleSupervisor, "sup-1"))

	// Nothing happened yet: the counters exist at zero, the store gauges too.
	fams := scrape(t, sup)
	if v := sample(t, fams, "portserver_ingest_events_total", dto.MetricType_COUNTER, nil); v != 0 {
		t.Fatalf("events before any batch = %v", v)
	}
	if v := sample(t, fams, "portserver_feed_version", dto.MetricType_GAUGE, nil); v != 0 {
		t.Fatalf("feed version of an empty server = %v", v)
	}

	// Backlog counts the batch's own events: 7 stay queued at the booth.
	if _, err := primary.SendBatch(ctx, BatchRequest{Events: evs, Backlog: 12}); err != nil {
		t.Fatal(err)
	}
	// A resend after a lost ack: every event a duplicate.
	if _, err := primary.SendBatch(ctx, BatchRequest{Events: evs, Backlog: 12}); err != nil {
		t.Fatal(err)
	}
	// A supervisor may not write.
	var se *StatusError
	if _, err := sup.SendBatch(ctx, BatchRequest{Events: evs}); !errors.As(err, &se) || se.Body.Error != CodeForbidden {
		t.Fatalf("supervisor write: %v", err)
	}
	feed, err := sup.Feed(ctx, 0, 0, 10)
	if err != nil {
		t.Fatal(err)
	}

	fams = scrape(t, sup)
	ws := map[string]string{"workstation": "booth-1", "role": RolePrimary}
	for _, c := range []struct {
		name   string
		typ    dto.MetricType
		labels map[string]string
		want   float64
	}{
		{"portserver_ingest_batches_total", dto.MetricType_COUNTER, map[string]string{"result": "ok"}, 2},
		{"portserver_ingest_batches_total", dto.MetricType_COUNTER, map[string]string{"result": CodeForbidden}, 1},
		{"portserver_ingest_events_total", dto.MetricType_COUNTER, nil, 5},
		{"portserver_ingest_duplicate_events_total", dto.MetricType_COUNTER, nil, 5},
		{"portserver_ingest_commit_seconds", dto.MetricType_SUMMARY, nil, 2},
		{"portserver_feed_requests_total", dto.MetricType_COUNTER, nil, 1},
		{"portserver_feed_events_total", dto.MetricType_COUNTER, nil, float64(len(feed.Events))},
		{"portserver_snapshots_total", dto.MetricType_COUNTER, nil, 0},
		{"portserver_reference_downloads_total", dto.MetricType_COUNTER, nil, 0},
		{"portserver_feed_version", dto.MetricType_GAUGE, nil, 5},
		{"portserver_feed_floor", dto.MetricType_GAUGE, nil, 0},
		{"portserver_workstation_high_water", dto.MetricType_GAUGE, ws, 5},
		{"portserver_workstation_backlog", dto.MetricType_GAUGE, ws, 7},
		{"portserver_workstation_refused", dto.MetricType_GAUGE, ws, 0},
	} {
		if got := sample(t, fams, c.name, c.typ, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if len(feed.Events) != 5 {
		t.Errorf("feed served %d events, want 5", len(feed.Events))
	}
	if sum := fams["portserver_ingest_commit_seconds"].GetMetric()[0].GetSummary().GetSampleSum(); sum <= 0 {
		t.Errorf("commit seconds sum = %v, want the time two commits took", sum)
	}
	if age := sample(t, fams, "portserver_workstation_last_seen_age_seconds", dto.MetricType_GAUGE, ws); age < 0 || age > 60 {
		t.Errorf("last seen age = %vs, want just now", age)
	}
	// The runtime and process collectors come with the client.
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "process_open_fds"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("metric %s missing", name)
		}
	}
}

// failingSource fails the feed floor read, as a broken database would.
type failingSource struct{ *sqlitestore.Store }

var errDiskGone = errors.New("disk gone")

func (failingSource) FeedFloor(context.Context) (int64, error) { return 0, errDiskGone }

func TestMetricsScrapeFailsWhenTheStoreFails(t *testing.T) {
	st := openStore(t, "port-2604")
	var m serverMetrics
	var b strings.Builder
	err := m.write(context.Background(), &b, failingSource{st}, time.Now())
	if !errors.Is(err, errDiskGone) {
		t.Fatalf("write = %v, want the store's error", err)
	}
	if b.Len() != 0 {
		t.Fatalf("a failed scrape wrote %q", b.String())
	}
	// The same metrics scrape fine once the store answers again.
	if err := m.write(context.Background(), &b, st, time.Now()); err != nil || !strings.Contains(b.String(), "portserver_feed_floor 0") {
		t.Fatalf("write = %v\n%s", err, b.String())
	}
}
