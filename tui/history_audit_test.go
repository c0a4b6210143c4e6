package tui

import (
	"encoding/json"
	"testing"
)

// The primary screen looks up every car's history by itself: each look-up
// the screen shows is a search in the audit chain, under the officer signed
// in.
func TestPrimaryHistoryLookupIsAudited(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	count := func() int {
		e.officers.mu.Lock()
		defer e.officers.mu.Unlock()
		n := 0
		for _, a := range e.officers.audit {
			if a == testBadge+" search" {
				n++
			}
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("%d searches audited before any car", n)
	}
	e.plate("7ABC123", "US-CA", 93)
	if n := count(); n != 1 {
		e.officers.mu.Lock()
		defer e.officers.mu.Unlock()
		t.Fatalf("the plate's history look-up audited %d times: %q", n, e.officers.audit)
	}
	// The entry names what was looked up and the crossing it was for.
	e.officers.mu.Lock()
	defer e.officers.mu.Unlock()
	if len(e.officers.entries) != 1 {
		t.Fatalf("entries: %+v", e.officers.entries)
	}
	got := e.officers.entries[0]
	var detail struct {
		Screen   string `json:"screen"`
		Crossing string `json:"crossing"`
		Results  *int   `json:"results"`
	}
	if err := json.Unmarshal(got.Detail, &detail); err != nil {
		t.Fatalf("detail %s: %v", got.Detail, err)
	}
	ids := e.log.crossings()
	if got.Officer != testBadge || got.Subject != "plate:US-CA/7ABC123" || detail.Screen != "primary" ||
		len(ids) != 1 || detail.Crossing != ids[0] || detail.Results == nil {
		t.Fatalf("entry %+v detail %s (crossings %q)", got, got.Detail, ids)
	}
}
