package sqlitestore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
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
	if err := s.AddOfficer(ctx, " b100 ", "Ana Ruiz", "secondary, primary", []byte("480913")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, badge, oname, role, pin string
		want                          error
	}{
		{"duplicate badge", "B100", "Other", RoleSecondary, "480914", ErrOfficerExists},
		{"bad role", "B101", "X", "admin", "480913", ErrInvalidOfficer},
		{"no role", "B101", "X", "", "480913", ErrInvalidOfficer},
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
	if o := list[0]; o.Badge != "B100" || o.Name != "Ana Ruiz" || o.Roles.String() != "primary,secondary" || o.Source != SourceLocal ||
		o.Disabled || o.CreatedAt.IsZero() {
		t.Errorf("officer = %+v", o)
	}

	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	o, err := s.Authenticate(ctx, "b100", []byte("480913"), now)
	if err != nil || o.Badge != "B100" || !o.Roles.Has(records.RoleSecondary) || !o.LastLoginAt.Equal(now) {
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
	wantAudit(t, s, "officer_add:B100", "login:B100", "officer_disable:B100", "login_failed:B100", "login_failed:B100")
	if rep, err := s.VerifyAudit(ctx); err != nil || !rep.OK {
		t.Errorf("audit chain after officer actions: %+v, %v", rep, err)
	}
}

func wantAudit(t *testing.T, s *Store, want ...string) {
	t.Helper()
	if got := auditActions(t, s); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit = %v, want %v", got, want)
	}
}

// TestUnknownBadgeLooksLikeWrongPINAndIsNotRecorded: an unknown badge, a
// malformed one and a PIN typed into the badge field get the answer of a
// wrong PIN, and the audit says "unknown badge", never what was typed.
func TestUnknownBadgeLooksLikeWrongPINAndIsNotRecorded(t *testing.T) {
	s := cheapPINs(t)
	ctx := context.Background()
	if err := s.AddOfficer(ctx, "B200", "Ben Ortiz", RoleSecondary, []byte("739102")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, errUnknown := s.Authenticate(ctx, "B999", []byte("739102"), now)
	_, errWrong := s.Authenticate(ctx, "B200", []byte("739103"), now)
	_, errGarbage := s.Authenticate(ctx, "B2\x00"+strings.Repeat("Z", 5000), []byte("739102"), now)
	_, errPINAsBadge := s.Authenticate(ctx, "739102", []byte("739102"), now)
	for _, err := range []error{errUnknown, errWrong, errGarbage, errPINAsBadge} {
		if !errors.Is(err, ErrBadCredentials) || err.Error() != errWrong.Error() {
			t.Errorf("unknown badge: %v; wrong PIN: %v; malformed badge: %v; PIN as badge: %v; want the same ErrBadCredentials",
				errUnknown, errWrong, errGarbage, errPINAsBadge)
		}
	}
	wantAudit(t, s, "officer_add:B200", "login_failed:"+UnknownBadge, "login_failed:B200",
		"login_failed:"+UnknownBadge, "login_failed:"+UnknownBadge)
	es, err := s.RecentAudit(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		for _, typed := range []string{"B999", "739102", "ZZZZ"} {
			if strings.Contains(e.Subject, typed) || strings.Contains(string(e.Detail), typed) || strings.Contains(e.Officer, typed) {
				t.Errorf("audit entry %s %q %s records what was typed (%q)", e.Action, e.Subject, e.Detail, typed)
			}
		}
	}
	if rep, err := s.VerifyAudit(ctx); err != nil || !rep.OK || rep.Entries != 5 {
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

	sess, err := ro.SignIn(ctx, SignInRequest{Badge: "s1", PIN: []byte("552901"), Kind: records.WorkstationSupervisor, Now: t0})
	if err != nil || sess.Badge != "S1" || !sess.ReadOnly() {
		t.Errorf("read-only sign-in = %+v, %v", sess, err)
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

// TestPINHashIsArgon2idPepperedAndSalted: at the production cost a new
// verifier is argon2id at 19 MiB x 2 over the pepper, which lives in a 0600
// file beside the database and not in it; the same PIN never hashes alike,
// and another pepper does not match.
func TestPINHashIsArgon2idPepperedAndSalted(t *testing.T) {
	s := openOwnStore(t) // the production cost
	ctx := context.Background()
	if err := s.AddOfficer(ctx, "B1", "Eva Cruz", RolePrimary, []byte("480913")); err != nil {
		t.Fatal(err)
	}
	a, found, err := s.accountForSignIn(ctx, "B1")
	if err != nil || !found {
		t.Fatal(found, err)
	}
	h := a.hash
	if h.algo != argonAlgo || h.iterations < 2 || h.memory < 19*1024 || h.threads != 1 {
		t.Errorf("verifier %s t=%d m=%d p=%d below policy", h.algo, h.iterations, h.memory, h.threads)
	}
	d := decoyPIN(s.pinIterations)
	if d.algo != h.algo || d.iterations != h.iterations || d.memory != h.memory {
		t.Errorf("decoy %+v costs other than a verifier", d)
	}
	pepperFile := WorkstationPepperPath(s.Path())
	st, err := os.Stat(pepperFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("pepper file %s: %v, %v", pepperFile, st, err)
	}
	pepper, _ := os.ReadFile(pepperFile)
	if len(pepper) != pepperLen {
		t.Fatalf("pepper of %d bytes", len(pepper))
	}
	if !h.matches([]byte("480913"), pepper) || h.matches([]byte("480914"), pepper) {
		t.Error("matches is wrong")
	}
	other := append([]byte(nil), pepper...)
	other[0] ^= 1
	if h.matches([]byte("480913"), other) || h.matches([]byte("480913"), nil) {
		t.Error("a verifier matched without its pepper")
	}
	b, _ := newArgonHash([]byte("480913"), pepper, argonCostFor(1000))
	c, _ := newArgonHash([]byte("480913"), pepper, argonCostFor(1000))
	if string(b.salt) == string(c.salt) || string(b.hash) == string(c.hash) {
		t.Error("two hashes of one PIN share salt or hash")
	}
	s.Close()
	for _, f := range []string{s.Path(), s.Path() + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, pepper) {
			t.Errorf("%s contains the pepper", f)
		}
	}
}

// TestLegacyPBKDF2UpgradesOnSignIn: an account an older build hashed with
// PBKDF2 still signs in; the successful sign-in re-hashes it as argon2id,
// a failed one does not.
func TestLegacyPBKDF2UpgradesOnSignIn(t *testing.T) {
	s := cheapPINs(t)
	ctx := context.Background()
	if err := s.AddOfficer(ctx, "B9", "Old Timer", RolePrimary, []byte("480913")); err != nil {
		t.Fatal(err)
	}
	old, err := newPINHash([]byte("480913"), 1000)
	if err != nil {
		t.Fatal(err)
	}
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE officers SET pin_algo = ?, pin_iterations = ?, pin_memory = 0, pin_threads = 0,
			pin_salt = ?, pin_hash = ? WHERE badge = 'B9'`, old.algo, old.iterations, old.salt, old.hash)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	algo := func() string {
		a, _, err := s.accountForSignIn(ctx, "B9")
		if err != nil {
			t.Fatal(err)
		}
		return a.hash.algo
	}
	if _, err := s.Authenticate(ctx, "B9", []byte("480914"), time.Now()); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong PIN on a legacy hash: %v", err)
	}
	if got := algo(); got != pinAlgo {
		t.Fatalf("a failed sign-in changed the hash to %s", got)
	}
	if _, err := s.Authenticate(ctx, "B9", []byte("480913"), time.Now()); err != nil {
		t.Fatalf("legacy hash sign-in: %v", err)
	}
	if got := algo(); got != argonAlgo {
		t.Fatalf("after sign-in the hash is %s, want %s", got, argonAlgo)
	}
	if _, err := s.Authenticate(ctx, "B9", []byte("480913"), time.Now()); err != nil {
		t.Fatalf("sign-in with the upgraded hash: %v", err)
	}
	es, _ := s.RecentAudit(ctx, 10)
	upgraded := 0
	for _, e := range es {
		if e.Action == ActionLogin && strings.Contains(string(e.Detail), `"pin_hash_upgraded":true`) {
			upgraded++
		}
	}
	if upgraded != 1 {
		t.Errorf("%d sign-ins audited as upgrading the hash, want 1", upgraded)
	}
}

// TestSignInRoleByWorkstationKind: the store applies records.SignInAccess to
// every role set at every kind; a refusal after the right PIN is ErrNoRole,
// audited with its reason.
func TestSignInRoleByWorkstationKind(t *testing.T) {
	s := cheapPINs(t)
	ctx := context.Background()
	sets := []string{"primary", "secondary", "supervisor", "primary,secondary", "primary,supervisor", "secondary,supervisor",
		"primary,secondary,supervisor"}
	for i, set := range sets {
		if err := s.AddOfficer(ctx, fmt.Sprintf("R%d", i), "Role "+set, set, []byte("480913")); err != nil {
			t.Fatal(err)
		}
	}
	for i, set := range sets {
		roles, _ := records.ParseRoles(set)
		for _, kind := range records.AllWorkstationKinds {
			for _, ro := range []bool{false, true} {
				want := records.SignInAccess(roles, kind, ro)
				sess, err := s.SignIn(ctx, SignInRequest{Badge: fmt.Sprintf("R%d", i), PIN: []byte("480913"), Kind: kind, ReadOnly: ro})
				switch {
				case want == records.AccessRefused && !errors.Is(err, ErrNoRole):
					t.Errorf("%s at %s (ro=%v): %v, want ErrNoRole", set, kind, ro, err)
				case want != records.AccessRefused && (err != nil || sess.Access != want):
					t.Errorf("%s at %s (ro=%v): %v %v, want %s", set, kind, ro, sess.Access, err, want)
				}
			}
		}
	}
	es, _ := s.RecentAudit(ctx, 200)
	noRole := 0
	for _, e := range es {
		if e.Action == ActionLoginFailed && strings.Contains(string(e.Detail), `"reason":"no_role"`) {
			noRole++
		}
	}
	// Refused: primary at secondary and supervisor, secondary at primary
	// and supervisor, primary+secondary at supervisor; each with and
	// without --read-only.
	if noRole != 2*5 {
		t.Errorf("%d refusals audited as no_role, want 10", noRole)
	}
}

// portAndBooth is a port server's store with port accounts and a
// workstation's store that applies them as the feed would.
func portAndBooth(t *testing.T) (server, booth *Store, sync func(at time.Time)) {
	t.Helper()
	ctx := context.Background()
	server = openAt(t, filepath.Join(t.TempDir(), "portserver.db"), Options{Origin: "port-2608", PINIterations: 1000})
	booth = cheapPINs(t)
	sync = func(at time.Time) {
		t.Helper()
		c, err := booth.AccountCache(ctx)
		if err != nil {
			t.Fatal(err)
		}
		accts, _, err := server.PortAccountsSince(ctx, c.Version)
		if err != nil {
			t.Fatal(err)
		}
		pepper, err := server.PortPepper()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := booth.ApplyPortAccounts(ctx, AccountsUpdate{Pepper: pepper, Accounts: accts, HeardAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	return server, booth, sync
}

// TestPortAccountsComeDown: an account added at the port server signs in
// at a workstation once the feed delivered it; it wins over a local account
// with the same badge; a disable and a port-wide lock travel down; the
// workstation's own failure count survives the next delivery.
func TestPortAccountsComeDown(t *testing.T) {
	ctx := context.Background()
	server, booth, sync := portAndBooth(t)
	t0 := time.Now()
	if err := server.AddPortAccount(ctx, NewOfficer{Badge: "P1", Name: "Port One", Roles: "primary", PIN: []byte("480913")}); err != nil {
		t.Fatal(err)
	}
	if err := server.AddPortAccount(ctx, NewOfficer{Badge: "P2", Name: "Port Two", Roles: "supervisor", PIN: []byte("739102")}); err != nil {
		t.Fatal(err)
	}
	if err := server.AddPortAccount(ctx, NewOfficer{Badge: "P3", Name: "X", Roles: "primary", PIN: []byte("480913"), BreakGlass: true}); err == nil {
		t.Error("a break-glass port account was accepted")
	}
	if st, err := os.Stat(PortPepperPath(server.Path())); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("server's port pepper: %v %v", st, err)
	}
	// A local account with P1's badge and another PIN, made before the feed.
	if err := booth.AddOfficer(ctx, "P1", "Local Shadow", "primary,secondary", []byte("552901")); err != nil {
		t.Fatal(err)
	}
	if _, err := booth.Authenticate(ctx, "P1", []byte("552901"), t0); err != nil {
		t.Fatalf("local account before the feed: %v", err)
	}
	sync(t0)
	if st, err := os.Stat(PortPepperPath(booth.Path())); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("workstation's port pepper: %v %v", st, err)
	}
	sess, err := booth.SignIn(ctx, SignInRequest{Badge: "P1", PIN: []byte("480913"), Kind: records.WorkstationPrimary, Now: t0})
	if err != nil || sess.Source != SourcePort || sess.Access != records.AccessWrite || sess.Name != "Port One" {
		t.Fatalf("port account sign-in: %+v %v", sess, err)
	}
	if _, err := booth.Authenticate(ctx, "P1", []byte("552901"), t0); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("the shadowed local PIN still signs in: %v", err)
	}
	// The supervisor signs in at the primary booth read-only.
	sess, err = booth.SignIn(ctx, SignInRequest{Badge: "P2", PIN: []byte("739102"), Kind: records.WorkstationPrimary, Now: t0})
	if err != nil || !sess.ReadOnly() {
		t.Errorf("supervisor at a primary booth: %+v %v", sess, err)
	}
	// Two failures here, then the server locks P1 port-wide (failures seen
	// from other booths) and the lock comes down.
	for i := 0; i < 2; i++ {
		booth.Authenticate(ctx, "P1", []byte("000001"), t0)
	}
	// The workstations' audit entries reach the server: four failures, a
	// success (which clears the count), then five failures, each batch sent
	// twice (a resend counts once), and failures of an unknown badge.
	entry := func(action, officer, subject, detail string) records.AuditEntry {
		return records.AuditEntry{ID: records.NewID(), At: t0, Action: action, Officer: officer, Subject: subject, Detail: json.RawMessage(detail)}
	}
	failure := func() records.AuditEntry {
		return entry(ActionLoginFailed, "", "P1", `{"reason":"bad_credentials","source":"port"}`)
	}
	var batch []records.AuditEntry
	for i := 0; i < MaxFailedLogins-1; i++ {
		batch = append(batch, failure())
	}
	batch = append(batch, entry(ActionLogin, "P1", "P1", `{"source":"port"}`),
		entry(ActionLoginFailed, "", UnknownBadge, `{"reason":"bad_credentials"}`))
	for i := 0; i < 2; i++ {
		if locked, err := server.RecordPortSignIns(ctx, batch); err != nil || len(locked) != 0 {
			t.Fatalf("RecordPortSignIns = %v, %v; want no lock", locked, err)
		}
	}
	batch = nil
	for i := 0; i < MaxFailedLogins; i++ {
		batch = append(batch, failure())
	}
	if locked, err := server.RecordPortSignIns(ctx, batch[:MaxFailedLogins-1]); err != nil || len(locked) != 0 {
		t.Fatalf("four failures: %v, %v", locked, err)
	}
	if locked, err := server.RecordPortSignIns(ctx, batch); err != nil || len(locked) != 1 || locked[0] != "P1" {
		t.Fatalf("the fifth failure: %v, %v; want P1 locked", locked, err)
	}
	sync(t0)
	if _, err := booth.Authenticate(ctx, "P1", []byte("480913"), t0.Add(time.Minute)); !errors.Is(err, ErrLockedOut) {
		t.Errorf("port-wide lock at the workstation: %v", err)
	}
	var local int
	booth.read.QueryRowContext(ctx, `SELECT failed_attempts FROM port_accounts WHERE badge = 'P1'`).Scan(&local)
	if local != 3 { // the shadowed local PIN, then two wrong PINs
		t.Errorf("the workstation's own failure count is %d after a delivery, want 3", local)
	}
	if err := server.DisablePortAccount(ctx, "P2"); err != nil {
		t.Fatal(err)
	}
	sync(t0)
	if _, err := booth.Authenticate(ctx, "P2", []byte("739102"), t0); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled at the port: %v", err)
	}
	for _, b := range []struct {
		badge         string
		known, writes bool
	}{{"P1", true, true}, {"P2", true, false}, {"ZZ", false, false}} {
		known, writes, err := server.OfficerWrites(ctx, b.badge)
		if err != nil || known != b.known || writes != b.writes {
			t.Errorf("OfficerWrites(%s) = %v %v %v", b.badge, known, writes, err)
		}
	}
	// A malformed delivery changes nothing.
	bad := PortAccount{Badge: "P9", Name: "Bad", Roles: "admin", PINAlgo: argonAlgo, PINSalt: []byte("x"), PINHash: make([]byte, 32), Version: 99}
	if _, err := booth.ApplyPortAccounts(ctx, AccountsUpdate{Accounts: []PortAccount{bad}}); err == nil {
		t.Error("a malformed account was applied")
	}
	if _, err := booth.ApplyPortAccounts(ctx, AccountsUpdate{Pepper: []byte("short")}); err == nil {
		t.Error("a short pepper was applied")
	}
	list, _ := booth.ListOfficers(ctx)
	var got []string
	for _, o := range list {
		got = append(got, o.Badge+"/"+o.Source)
	}
	if strings.Join(got, " ") != "P1/port P1/local P2/port" {
		t.Errorf("workstation's accounts: %v", got)
	}
}

// TestAccountCacheMaxAgeAndBreakGlass: while the cache is current a port
// account signs in and a break-glass account does not; once it is older
// than the maximum age only the break-glass account does, audited as such.
func TestAccountCacheMaxAgeAndBreakGlass(t *testing.T) {
	ctx := context.Background()
	server, booth, sync := portAndBooth(t)
	if err := server.AddPortAccount(ctx, NewOfficer{Badge: "P1", Name: "Port One", Roles: "primary", PIN: []byte("480913")}); err != nil {
		t.Fatal(err)
	}
	if err := booth.AddLocalOfficer(ctx, NewOfficer{Badge: "BG1", Name: "Break Glass", Roles: "primary", PIN: []byte("552901"), BreakGlass: true}); err != nil {
		t.Fatal(err)
	}
	if err := booth.AddOfficer(ctx, "L1", "Local One", "primary", []byte("739102")); err != nil {
		t.Fatal(err)
	}
	// Never heard from a server: no cache to expire, local accounts work,
	// break-glass does not.
	t0 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	if _, err := booth.Authenticate(ctx, "L1", []byte("739102"), t0); err != nil {
		t.Errorf("local account on a workstation without a port server: %v", err)
	}
	if _, err := booth.Authenticate(ctx, "BG1", []byte("552901"), t0); !errors.Is(err, ErrBreakGlassUnavailable) {
		t.Errorf("break-glass without an expired cache: %v", err)
	}
	sync(t0)
	maxAge := 72 * time.Hour
	at := func(d time.Duration, badge, pin string) error {
		_, err := booth.SignIn(ctx, SignInRequest{Badge: badge, PIN: []byte(pin), Kind: records.WorkstationPrimary, MaxCacheAge: maxAge, Now: t0.Add(d)})
		return err
	}
	if err := at(71*time.Hour, "P1", "480913"); err != nil {
		t.Errorf("port account within the max age: %v", err)
	}
	if err := at(71*time.Hour, "BG1", "552901"); !errors.Is(err, ErrBreakGlassUnavailable) {
		t.Errorf("break-glass within the max age: %v", err)
	}
	if err := at(73*time.Hour, "P1", "480913"); !errors.Is(err, ErrCacheExpired) {
		t.Errorf("port account past the max age: %v", err)
	}
	if err := at(73*time.Hour, "L1", "739102"); !errors.Is(err, ErrCacheExpired) {
		t.Errorf("ordinary local account past the max age: %v", err)
	}
	if err := at(73*time.Hour, "BG1", "000001"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("break-glass with a wrong PIN: %v", err)
	}
	if err := at(73*time.Hour, "BG1", "552901"); err != nil {
		t.Errorf("break-glass past the max age: %v", err)
	}
	// A shorter configured age expires sooner; hearing again renews.
	maxAge = time.Hour
	if err := at(2*time.Hour, "P1", "480913"); !errors.Is(err, ErrCacheExpired) {
		t.Errorf("port account past a 1h max age: %v", err)
	}
	sync(t0.Add(2 * time.Hour))
	if err := at(2*time.Hour, "P1", "480913"); err != nil {
		t.Errorf("port account after the server was heard again: %v", err)
	}
	es, _ := booth.RecentAudit(ctx, 100)
	var bg, expired int
	for _, e := range es {
		if e.Action == ActionLoginBreakGlass && e.Officer == "BG1" {
			bg++
		}
		if e.Action == ActionLoginFailed && strings.Contains(string(e.Detail), "account_cache_expired") {
			expired++
		}
	}
	if bg != 1 || expired != 3 {
		t.Errorf("audited %d break-glass sign-ins and %d expired-cache refusals, want 1 and 3", bg, expired)
	}
}

// TestPepperFilePermissions: a pepper file others may read is refused with
// an error naming it.
func TestPepperFilePermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "booth.pepper")
	p, err := EnsurePepper(path)
	if err != nil || len(p) != pepperLen {
		t.Fatal(p, err)
	}
	again, err := EnsurePepper(path)
	if err != nil || string(again) != string(p) {
		t.Fatalf("second EnsurePepper made a new pepper: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsurePepper(path); !errors.Is(err, ErrPepper) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "0644") {
		t.Errorf("loose pepper file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "short.pepper"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsurePepper(filepath.Join(dir, "short.pepper")); !errors.Is(err, ErrPepper) {
		t.Errorf("short pepper file: %v", err)
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
	a, found, err := s.accountForSignIn(ctx, "B7")
	if err != nil || !found || a.hash.memory != 64 || a.hash.iterations != 1 {
		t.Fatalf("stored hash at m=%d t=%d (%v, %v), want the test cost", a.hash.memory, a.hash.iterations, found, err)
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
