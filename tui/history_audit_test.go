package tui

import "testing"

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
}
