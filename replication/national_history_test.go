package replication

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// fakeHub stands in for the hub link at the server's seam (the real leaf
// node and hub are exercised in cmd/portserver's national history test).
type fakeHub struct {
	mu    sync.Mutex
	asked []NationalQuery
	delay time.Duration
	resp  NationalHistoryResponse
	err   error
}

func (f *fakeHub) NationalHistory(ctx context.Context, q NationalQuery) (NationalHistoryResponse, error) {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return NationalHistoryResponse{}, errors.Join(ErrNationalUnavailable, ctx.Err())
		}
	}
	return f.resp, f.err
}

func TestNationalHistoryEndpoint(t *testing.T) {
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	c := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1"))
	ctx := context.Background()
	q := NationalQuery{Country: "UTO", Number: "L898902C3"}

	// No hub: "not configured" at once, never a wait.
	start := time.Now()
	if _, err := c.NationalHistory(ctx, q, "B100"); !errors.Is(err, ErrNationalUnconfigured) {
		t.Fatalf("without a hub: err = %v, want ErrNationalUnconfigured", err)
	}
	if d := time.Since(start); d > NationalTimeout {
		t.Errorf("without a hub the answer took %s", d)
	}

	opened := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	hub := &fakeHub{resp: NationalHistoryResponse{Node: "hub-1", Crossings: []NationalCrossing{
		{Port: "3104", Lane: "V02", CrossingID: "c-1", OpenedAt: opened, Outcome: "admitted"}}}}
	srv.srv.SetNational(hub)
	got, err := c.NationalHistory(ctx, q, "B100")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Crossings) != 1 || got.Crossings[0].Port != "3104" || !got.Crossings[0].OpenedAt.Equal(opened) || got.Node != "hub-1" {
		t.Errorf("answer = %+v", got)
	}
	if len(hub.asked) != 1 || hub.asked[0] != q {
		t.Errorf("hub asked %+v, want %+v", hub.asked, q)
	}

	// A hub slower than the budget: "unavailable" once NationalTimeout passed.
	hub.delay = 5 * time.Second
	start = time.Now()
	if _, err := c.NationalHistory(ctx, NationalQuery{Plate: "ABC123", Region: "US-AZ"}, ""); !errors.Is(err, ErrNationalUnavailable) {
		t.Fatalf("slow hub: err = %v, want ErrNationalUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("slow hub: the answer took %s, want about %s", d, NationalTimeout)
	}

	// Every look-up that reached the hub is audited in the server's own
	// chain: the terms, the officer, the workstation and what came back.
	entries, err := srv.store.QueryAudit(ctx, records.AuditQuery{Action: records.AuditActionSearch})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, e := range entries {
		subjects = append(subjects, e.Officer+" "+e.Subject+" "+string(e.Detail))
	}
	all := strings.Join(subjects, "\n")
	for _, want := range []string{
		`B100 national document:UTO/L898902C3 {"results":1,"screen":"national","workstation":"booth-1"}`,
		` national plate:US-AZ/ABC123 {"results":-1,"screen":"national","workstation":"booth-1"}`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q; has:\n%s", want, all)
		}
	}
	if len(entries) != 2 {
		t.Errorf("%d search entries, want 2 (the unconfigured look-up never reached a hub)", len(entries))
	}
}

func TestParseNationalQuery(t *testing.T) {
	tests := []struct {
		raw  string
		want NationalQuery
		ok   bool
	}{
		{"country=UTO&doc=L898902C3", NationalQuery{Country: "UTO", Number: "L898902C3"}, true},
		{"name=ERIKSSON&dob=1974-08-12", NationalQuery{Surname: "ERIKSSON", BirthDate: "1974-08-12"}, true},
		{"plate=ABC123&region=US-AZ", NationalQuery{Plate: "ABC123", Region: "US-AZ"}, true},
		{"", NationalQuery{}, false},
		{"doc=L898902C3", NationalQuery{}, false},                            // no country
		{"country=UTO&doc=X&plate=ABC", NationalQuery{}, false},              // two keys
		{"name=ERIKSSON&dob=12/08/1974", NationalQuery{}, false},             // bad date
		{"plate=" + strings.Repeat("A", 65), NationalQuery{}, false},         // too long
		{"plate=AB%0AC", NationalQuery{}, false},                             // control character
		{"plate=%ff%fe", NationalQuery{}, false},                             // not UTF-8
		{"country=UTO&doc=L898902C3&region=US-AZ", NationalQuery{}, true},    // region rides along
		{"name=ERIKSSON&dob=1974-08-12&country=UTO", NationalQuery{}, true},  // lone country ignored
		{"name=ERIKSSON", NationalQuery{}, false},                            // no birth date
		{"dob=1974-08-12", NationalQuery{}, false},                           // no surname
		{"plate=ABC&name=X&dob=2000-01-01", NationalQuery{}, false},          // two keys
		{"country=UTO&doc=L898902C3&doc=OTHER", NationalQuery{}, true},       // first value wins
		{"country=U%00TO&doc=L898902C3", NationalQuery{}, false},             // NUL
		{"plate=" + strings.Repeat("Å", 32), NationalQuery{}, true},          // 64 bytes
		{"plate=" + strings.Repeat("Å", 33), NationalQuery{}, false},         // 66 bytes
		{"country=UTO&doc=L898902C3&name=ERIKSSON", NationalQuery{}, true},   // lone name ignored
		{"plate=ABC123&dob=1974-08-12", NationalQuery{}, true},               // lone dob ignored
		{"plate=ABC123&dob=bad", NationalQuery{}, false},                     // a bad dob is refused anyway
		{"country=&doc=&plate=ABC123", NationalQuery{Plate: "ABC123"}, true}, // empty terms
		{"country=UTO&doc=L898902C3&x=1", NationalQuery{}, true},             // unknown term ignored
		{"plate=ABC+123", NationalQuery{Plate: "ABC 123"}, true},             // spaces kept
		{"name=O%27NEIL&dob=1974-08-12", NationalQuery{Surname: "O'NEIL", BirthDate: "1974-08-12"}, true},
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.raw)
		if err != nil {
			v = url.Values{}
		}
		got, err := ParseNationalQuery(v)
		if (err == nil) != tt.ok {
			t.Errorf("ParseNationalQuery(%q) err = %v, want ok=%v", tt.raw, err, tt.ok)
			continue
		}
		if tt.ok && tt.want != (NationalQuery{}) && got != tt.want {
			t.Errorf("ParseNationalQuery(%q) = %+v, want %+v", tt.raw, got, tt.want)
		}
		if err == nil {
			// What parses goes through the client's encoding unchanged.
			back, err := ParseNationalQuery(got.values())
			if err != nil || back != got {
				t.Errorf("round trip of %+v = %+v, %v", got, back, err)
			}
		}
	}
}

func FuzzParseNationalQuery(f *testing.F) {
	for _, s := range []string{"country=UTO&doc=L898902C3", "name=ERIKSSON&dob=1974-08-12", "plate=ABC123&region=US-AZ", "plate=%ff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := ParseNationalQuery(v)
		if err != nil {
			return
		}
		if !q.Valid() || q.Subject() == "" {
			t.Fatalf("accepted an invalid query %+v", q)
		}
		back, err := ParseNationalQuery(q.values())
		if err != nil || back != q {
			t.Fatalf("round trip of %+v = %+v, %v", q, back, err)
		}
	})
}
