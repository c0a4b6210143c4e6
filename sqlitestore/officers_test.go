package sqlitestore

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// cheapPINs opens a store whose PIN hashes are cheap, for tests of the
// account logic, which hash dozens of PINs; TestPINHashIsSlowAndSalted
// checks the production cost.
func cheapPINs(t *testing.T) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "booth.db"), Options{Origin: "WS-TEST-1", PINIterations: 1000})
}

func auditActions(t *testing.T, s *Store) []string {
	t.Helper()
	es, err := s.RecentAudit(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].Seq < es[j].Seq })
	var out []string
	for _, e := range es {
		out = append(out, e.Action+":"+e.Subject)
	}
	return out
}

func TestValidatePIN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pin string
		ok  bool
	}{
		{"480913", true},
		{"480913275519", true},
		{"48091", false},         // too short
		{"4809132755190", false}, // too long
		{"48091a", false},
		{"48 913", false},
		{"000000", false},
		{"123456", false},
		{"987654", false},
		{"", false},
	} {
		err := ValidatePIN([]byte(tc.pin))
		if (err == nil) != tc.ok {
			t.Errorf("ValidatePIN(%q) = %v, want ok=%v", tc.pin, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrWeakPIN) {
			t.Errorf("ValidatePIN(%q) error %v does not wrap ErrWeakPIN", tc.pin, err)
		}
	}
}

func TestOfficerAccounts(t *testing.T) {
	s := cheapPINs(t)
	ctx := context.Background()
	if err := s.AddOfficer(ctx, " b100 ", "Ana Ruiz", RolePrimary, []byte("480913")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, badge, oname, role, pin string
		want                          error
	}{
		{"duplicate badge", "B100", "Other", RoleSecondary, "480914", ErrOfficerExists},
		{"bad role", "B101", "X", "admin", "480913", ErrInvalidOfficer},
		{"bad badge", "B 101", "X", RolePrimary, "480913", ErrInvalidOfficer},
		{"empty name", "B101", " ", RolePrimary, "480913", ErrInvalidOfficer},
		{"weak PIN", "B101", "X", RolePrimary, "111111", ErrWeakPIN},
	} {
		if err := s.AddOfficer(ctx, tc.badge, tc.oname, tc.role, []byte(tc.pin)); !errors.Is(err, tc.want) {
			t.Errorf("%s: AddOfficer = %v, want %v", tc.name, err, tc.want)
		}
	}
	list, err := s.ListOfficers(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListOfficers = %+v, %v", list, err)
	}
	if o := list[0]; o.Badge != "B100" || o.Name != "Ana Ruiz" || o.Role != RolePrimary || o.Disabled || o.CreatedAt.IsZero() {
		t.Errorf("officer = %+v", o)
	}

	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	o, err := s.Authenticate(ctx, "b100", []byte("480913"), now)
	if err != nil || o.Badge != "B100" || o.Role != RolePrimary || !o.LastLoginAt.Equal(now) {
		t.Fatalf("Authenticate = %+v, %v", o, err)
	}
	if err := s.DisableOfficer(ctx, "B100"); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableOfficer(ctx, "B100"); err != nil {
		t.Errorf("disabling twice: %v", err)
	}
	if err := s.DisableOfficer(ctx, "B404"); !errors.Is(err, ErrUnknownOfficer) {
		t.Errorf("disable unknown: %v", err)
	}
	if _, err := s.Authenticate(ctx, "B100", []byte("480913"), now); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled login = %v, want ErrDisabled", err)
	}
	// A wrong PIN on a disabled account does not reveal that it is disabled.
	if _, err := s.Authenticate(ctx, "B100", []byte("480914"), now); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong PIN on disabled account = %v, want ErrBadCredentials", err)
	}
	list, _ = s.ListOfficers(ctx)
	if !list[0].Disabled || list[0].DisabledAt.IsZero() {
		t.Errorf("disabled officer listed as %+v", list[0])
	}
	want := []string{"officer_add:B100", "login:B100", "officer_disable:B100", "login_failed:B100", "login_failed:B100"}
	if got := auditActions(t, s); len(got) != len(want) {
		t.Errorf("audit = %v, want %v", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("audit = %v, want %v", got, want)
				break
			}
		}
	}
	if rep, err := s.VerifyAudit(ctx); err != nil || !rep.OK {
		t.Errorf("audit chain after officer actions: %+v, %v", rep, err)
	}
}

func TestAuthenticateUnknownBadgeLooksLikeWrongPIN(t *testing.T) {
	s := cheapPINs(t)
	ctx := context.Background()
	if err := s.AddOfficer(ctx, "B200", "Ben Ortiz", RoleSecondary, []byte("739102")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, errUnknown := s.Authenticate(ctx, "B999", []byte("739102"), now)
	_, errWrong := s.Authenticate(ctx, "B200", []byte("739103"), now)
	_, errGarbage := s.Authenticate(ctx, "B2\x00"+strings.Repeat("Z", 5000), []byte("739102"), now)
	for _, err := range []error{errUnknown, errWrong, errGarbage} {
		if !errors.Is(err, ErrBadCredentials) || err.Error() != errWrong.Error() {
			t.Errorf("unknown badge: %v; wrong PIN: %v; malformed badge: %v; want the same ErrBadCredentials", errUnknown, errWrong, errGarbage)
		}
	}
	if rep, err := s.VerifyAudit(ctx); err != nil || !rep.OK || rep.Entries != 4 {
		t.Errorf("audit after failed logins: %+v, %v", rep, err)
	}
}

func TestAuthenticateLockout(t *testing.T) {
	s := cheapPINs(t)
	ctx := context.Background()
	if err := s.AddOfficer(ctx, "B300", "Cy Park", RoleSupervisor, []byte("552901")); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	// A success resets the count: 4 failures, success, 4 failures do not lock.
	for i := 0; i < MaxFailedLogins-1; i++ {
		if _, err := s.Authenticate(ctx, "B300", []byte("000001"), t0); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, err := s.Authenticate(ctx, "B300", []byte("552901"), t0); err != nil {
		t.Fatalf("success after 4 failures: %v", err)
	}
	for i := 0; i < MaxFailedLogins-1; i++ {
		if _, err := s.Authenticate(ctx, "B300", []byte("000001"), t0); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d after reset: %v", i+1, err)
		}
	}
	// The fifth consecutive failure locks for 15 minutes.
	_, err := s.Authenticate(ctx, "B300", []byte("000001"), t0)
	var lo *LockedOutError
	if !errors.As(err, &lo) || !errors.Is(err, ErrLockedOut) || !lo.Until.Equal(t0.Add(LockoutDuration)) {
		t.Fatalf("fifth failure = %v, want locked until %s", err, t0.Add(LockoutDuration))
	}
	// Even the right PIN is refused until then.
	if _, err := s.Authenticate(ctx, "B300", []byte("552901"), t0.Add(LockoutDuration-time.Second)); !errors.Is(err, ErrLockedOut) {
		t.Errorf("right PIN while locked = %v, want ErrLockedOut", err)
	}
	list, _ := s.ListOfficers(ctx)
	if !list[0].LockedUntil.Equal(t0.Add(LockoutDuration)) {
		t.Errorf("listed lock = %v", list[0].LockedUntil)
	}
	if _, err := s.Authenticate(ctx, "B300", []byte("552901"), t0.Add(LockoutDuration)); err != nil {
		t.Errorf("right PIN when the lock ends = %v", err)
	}
	if rep, err := s.VerifyAudit(ctx); err != nil || !rep.OK || rep.Entries != 1+4+1+5+1+1 {
		t.Errorf("audit: %+v, %v", rep, err)
	}
}

func TestAuthenticateReadOnly(t *testing.T) {
	s := cheapPINs(t)
	ctx := context.Background()
	for _, badge := range []string{"S1", "S2", "S3"} {
		if err := s.AddOfficer(ctx, badge, "Sup "+badge, RoleSupervisor, []byte("552901")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DisableOfficer(ctx, "S2"); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for i := 0; i < MaxFailedLogins; i++ { // S3 locked in the database
		s.Authenticate(ctx, "S3", []byte("000001"), t0)
	}
	path := s.Path()
	s.Close()
	ro, err := Open(ctx, path, Options{ReadOnly: true, PINIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()

	if o, err := ro.Authenticate(ctx, "s1", []byte("552901"), t0); err != nil || o.Badge != "S1" || o.Role != RoleSupervisor {
		t.Errorf("read-only login = %+v, %v", o, err)
	}
	if _, err := ro.Authenticate(ctx, "S2", []byte("552901"), t0); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled on read-only = %v", err)
	}
	if _, err := ro.Authenticate(ctx, "S3", []byte("552901"), t0.Add(time.Minute)); !errors.Is(err, ErrLockedOut) {
		t.Errorf("database lock on read-only = %v", err)
	}
	if _, err := ro.Authenticate(ctx, "NOBODY", []byte("552901"), t0); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown badge on read-only = %v", err)
	}
	// Failures are counted in memory: the fifth locks, even the right PIN.
	for i := 1; i <= MaxFailedLogins; i++ {
		_, err := ro.Authenticate(ctx, "S1", []byte("000001"), t0)
		if want := i == MaxFailedLogins; errors.Is(err, ErrLockedOut) != want {
			t.Fatalf("read-only failure %d = %v", i, err)
		}
	}
	if _, err := ro.Authenticate(ctx, "S1", []byte("552901"), t0.Add(LockoutDuration-time.Second)); !errors.Is(err, ErrLockedOut) {
		t.Errorf("right PIN during in-memory lock = %v", err)
	}
	if _, err := ro.Authenticate(ctx, "S1", []byte("552901"), t0.Add(LockoutDuration)); err != nil {
		t.Errorf("right PIN after the in-memory lock = %v", err)
	}
	if err := ro.AddOfficer(ctx, "B1", "X", RolePrimary, []byte("480913")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only AddOfficer = %v, want ErrReadOnly", err)
	}
}

func TestPINHashIsSlowAndSalted(t *testing.T) {
	s := openOwnStore(t) // the production cost
	a, err := newPINHash([]byte("480913"), s.pinIterations)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newPINHash([]byte("480913"), s.pinIterations)
	if a.iterations < 600_000 || a.algo != "pbkdf2-sha256" || decoyPIN(s.pinIterations).iterations != a.iterations {
		t.Errorf("hash parameters %s/%d below policy", a.algo, a.iterations)
	}
	if string(a.salt) == string(b.salt) || string(a.hash) == string(b.hash) {
		t.Error("two hashes of one PIN share salt or hash")
	}
	if !a.matches([]byte("480913")) || a.matches([]byte("480914")) {
		t.Error("matches is wrong")
	}
}

// TestPINIterationsOption: the cost is the store's option, stored with each
// hash, and a hash made at one cost is checked at that cost by a store
// opened with another.
func TestPINIterationsOption(t *testing.T) {
	ctx := context.Background()
	s := cheapPINs(t)
	if err := s.AddOfficer(ctx, "B7", "Di Lee", RolePrimary, []byte("480913")); err != nil {
		t.Fatal(err)
	}
	_, h, found, err := s.officerWithPIN(ctx, "B7")
	if err != nil || !found || h.iterations != 1000 {
		t.Fatalf("stored hash at %d iterations (%v, %v), want 1000", h.iterations, found, err)
	}
	path := s.Path()
	s.Close()
	prod := openAt(t, path, Options{Origin: "WS-TEST-1"})
	if prod.pinIterations != defaultPINIterations {
		t.Errorf("default cost %d, want %d", prod.pinIterations, defaultPINIterations)
	}
	if o, err := prod.Authenticate(ctx, "B7", []byte("480913"), time.Now()); err != nil || o.Badge != "B7" {
		t.Errorf("sign-in with a hash of another cost: %+v, %v", o, err)
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"), Options{Origin: "WS", PINIterations: -1}); err == nil {
		t.Error("a negative PIN cost was accepted")
	}
}
