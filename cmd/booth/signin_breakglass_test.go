package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui"
)

// signInScreen builds the workstation's model as cmd/booth wires it (the
// store backend under the sign-in policy, the crossing log behind the
// officer check) over st, with the harness's controllable clock, and
// returns the harness driving it at the sign-in screen.
func signInScreen(t *testing.T, st *sqlitestore.Store, policy *signInPolicy, at time.Time) *tuiHarness {
	t.Helper()
	h := &tuiHarness{t: t, store: st, now: at, logBuf: &lockedBuffer{}}
	backend := &storeBackend{Store: st, StaleAfter: 24 * time.Hour, Now: h.clock, SignIn: policy}
	m, err := tui.New(context.Background(), tui.Config{Workstation: st.Origin(), Port: "2604", Lane: "V01", Mode: records.ModeVehicle,
		Role: string(policy.Kind), Theme: "dark"},
		tui.Deps{Log: officerLog{next: crossingLog{store: st}, policy: policy}, Lookups: backend, Officers: backend, Now: h.clock,
			Logger: accountsTestLog()})
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	return h
}

var boxAndSpace = regexp.MustCompile(`[\x{2500}-\x{257F}\s]+`) // box drawing and spaces

// flatView is the screen as one line of words: a message wrapped inside the
// sign-in box reads as written.
func (h *tuiHarness) flatView() string {
	return strings.TrimSpace(boxAndSpace.ReplaceAllString(h.view(), " "))
}

// TestBreakGlassThroughTheSignInScreen: a primary booth whose account cache
// came from the real port server over the real link, signed in through the
// sign-in screen with a controlled clock. While the cache is younger than
// account_cache_max_age (12 h in this configuration) the port account signs
// in and the break-glass local account is refused as an unknown account
// would be; once the booth has not heard from the server for longer, the
// port account and an ordinary local account are refused with a message
// saying why, and the break-glass account signs in, audited as
// login_break_glass, an entry that reaches the port server with the chain.
func TestBreakGlassThroughTheSignInScreen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := startPortRig(t)
	portOfficerAdd(t, r, "P200", "primary", "480913")
	db := filepath.Join(r.dir, "WS-C.db")
	boothOfficerAdd(t, db, "WS-C", "G1", "primary", "739102", "--break-glass")
	boothOfficerAdd(t, db, "WS-C", "L1", "primary", "552901")
	c := r.station(t, ctx, "primary", "WS-C")
	waitFor(t, "WS-C receives port account P200", 30*time.Second, func() bool {
		found, src := hasOfficer(t, c.store, "P200")
		return found && src == sqlitestore.SourcePort
	})

	cfg := defaultConfig()
	cfg.Role = "primary"
	cfg.AccountCacheMaxAge.Duration = 12 * time.Hour
	policy := newSignInPolicy(cfg)
	// heard is when the booth last heard from the server; the link keeps
	// renewing it, so each attempt's time is counted from a fresh reading.
	heard := func() time.Time {
		t.Helper()
		cache, err := c.store.AccountCache(ctx)
		if err != nil || cache.HeardAt.IsZero() {
			t.Fatalf("account cache: %+v %v", cache, err)
		}
		return cache.HeardAt
	}
	const (
		refusedUnknown = "badge or PIN not accepted"
		refusedExpired = "accounts not confirmed by the port server for too long: only a break-glass account may sign in"
	)
	for _, tc := range []struct {
		name       string
		after      time.Duration // since the booth last heard from the server
		badge, pin string
		shows      string // "" when the sign-in succeeds
	}{
		{"break-glass while the cache is current", time.Hour, "G1", "739102", refusedUnknown},
		{"port account while the cache is current", time.Hour, "P200", "480913", ""},
		{"break-glass just before expiry", 12*time.Hour - time.Minute, "G1", "739102", refusedUnknown},
		{"port account after expiry", 12*time.Hour + time.Minute, "P200", "480913", refusedExpired},
		{"local account after expiry", 12*time.Hour + time.Minute, "L1", "552901", refusedExpired},
		{"break-glass with a wrong PIN after expiry", 13 * time.Hour, "G1", "739103", refusedUnknown},
		{"break-glass after expiry", 13 * time.Hour, "G1", "739102", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := signInScreen(t, c.store, policy, heard().Add(tc.after))
			h.typeText(tc.badge)
			h.key("enter")
			h.typeText(tc.pin)
			h.key("enter")
			v := h.flatView()
			signedIn := strings.Contains(v, "signed in as "+tc.badge)
			if tc.shows == "" {
				if !signedIn {
					t.Fatalf("%s was refused:\n%s", tc.badge, h.view())
				}
				return
			}
			if signedIn || !strings.Contains(v, tc.shows) {
				t.Fatalf("want %s refused with %q:\n%s", tc.badge, tc.shows, h.view())
			}
		})
	}

	// The audit chain says what happened, in order, with the reasons.
	es, err := c.store.RecentAudit(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(es, func(a, b records.AuditEntry) int { return int(a.Seq - b.Seq) })
	var got []string
	for _, e := range es {
		if !strings.HasPrefix(e.Action, "login") {
			continue
		}
		var d struct{ Reason string }
		_ = json.Unmarshal(e.Detail, &d)
		got = append(got, strings.TrimSuffix(e.Action+" "+e.Officer+" "+e.Subject+" "+d.Reason, " "))
	}
	want := []string{
		"login_failed  G1 break_glass_unavailable",
		"login P200 P200",
		"login_failed  G1 break_glass_unavailable",
		"login_failed  P200 account_cache_expired",
		"login_failed  L1 account_cache_expired",
		"login_failed  G1 bad_credentials",
		"login_break_glass G1 G1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sign-in audit:\n got %q\nwant %q", got, want)
	}
	// Supervisors see the break-glass use once the chain reaches the server.
	c.link.Notify()
	waitFor(t, "login_break_glass at the port server", 30*time.Second, func() bool {
		return slices.ContainsFunc(serverAudit(t, r), func(e records.AuditEntry) bool {
			return e.Origin == "WS-C" && e.Action == sqlitestore.ActionLoginBreakGlass && e.Officer == "G1"
		})
	})
}
