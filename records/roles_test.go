package records

import (
	"fmt"
	"slices"
	"testing"
)

// TestSignInAccessEveryRoleSetAndKind covers every role set ParseRoles
// accepts at every workstation kind (the port's and the hub's lss), with and
// without --read-only; every other set of AllRoles is refused by ParseRoles.
func TestSignInAccessEveryRoleSetAndKind(t *testing.T) {
	t.Parallel()
	const (
		R = AccessRefused
		O = AccessReadOnly
		W = AccessWrite
	)
	kinds := append(slices.Clone(AllWorkstationKinds), WorkstationLSS)
	// want[roles][kind] without --read-only; kinds in order primary,
	// secondary, supervisor, lss. A supervisor is read-only at a port's
	// workstations and refused at the hub's; lss signs in only at lss.
	want := map[string][4]Access{
		"primary":                      {W, R, R, R},
		"secondary":                    {R, W, R, R},
		"supervisor":                   {O, O, O, R},
		"primary,secondary":            {W, W, R, R},
		"primary,supervisor":           {W, O, O, R},
		"secondary,supervisor":         {O, W, O, R},
		"primary,secondary,supervisor": {W, W, O, R},
		"lss":                          {R, R, R, W},
	}
	// Every subset of AllRoles is in the table or refused by ParseRoles
	// (lss beside another role).
	for mask := 1; mask < 1<<len(AllRoles); mask++ {
		var rs Roles
		for i, r := range AllRoles {
			if mask&(1<<i) != 0 {
				rs = append(rs, r)
			}
		}
		_, inTable := want[rs.String()]
		_, err := ParseRoles(rs.String())
		switch {
		case inTable && err != nil:
			t.Errorf("role set %q in the table but refused: %v", rs, err)
		case !inTable && err == nil:
			t.Errorf("role set %q accepted but missing from the table", rs)
		case !inTable && !rs.Has(RoleLSS):
			t.Errorf("role set %q refused, but only lss beside another role should be", rs)
		}
	}
	for set, byKind := range want {
		rs, err := ParseRoles(set)
		if err != nil {
			t.Fatal(err)
		}
		for i, kind := range kinds {
			t.Run(fmt.Sprintf("%s@%s", set, kind), func(t *testing.T) {
				if got := SignInAccess(rs, kind, false); got != byKind[i] {
					t.Errorf("SignInAccess(%s, %s) = %s, want %s", set, kind, got, byKind[i])
				}
				wantRO := byKind[i]
				if wantRO == W {
					wantRO = O
				}
				if got := SignInAccess(rs, kind, true); got != wantRO {
					t.Errorf("SignInAccess(%s, %s, --read-only) = %s, want %s", set, kind, got, wantRO)
				}
			})
		}
	}
	for _, rs := range []Roles{{RoleSupervisor}, {RoleLSS}, {RolePrimary, RoleSecondary, RoleSupervisor}} {
		if got := SignInAccess(rs, "hub", false); got != R {
			t.Errorf("unknown kind with %s: got %s, want refused", rs, got)
		}
	}
	if got := SignInAccess(nil, WorkstationPrimary, false); got != R {
		t.Errorf("no roles: got %s, want refused", got)
	}
}

func TestParseRoles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"primary", "primary", true},
		{"supervisor, primary", "primary,supervisor", true},
		{"secondary,secondary,primary", "primary,secondary", true},
		{"", "", false},
		{" , ", "", false},
		{"admin", "", false},
		{"primary,Supervisor", "", false},
		{"lss", "lss", true},
		{" lss , lss", "lss", true},
		{"lss,primary", "", false},
		{"supervisor,lss", "", false},
		{"LSS", "", false},
	} {
		rs, err := ParseRoles(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseRoles(%q) error %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && rs.String() != tc.want {
			t.Errorf("ParseRoles(%q) = %q, want %q", tc.in, rs, tc.want)
		}
	}
	for _, rs := range []string{"primary", "secondary", "primary,supervisor"} {
		r, _ := ParseRoles(rs)
		if !r.Writes() {
			t.Errorf("%s should write", rs)
		}
	}
	for _, rs := range []string{"supervisor", "lss"} {
		if r, _ := ParseRoles(rs); r.Writes() {
			t.Errorf("%s must not write a port's events", rs)
		}
	}
	for _, k := range []string{"primary", "secondary", "supervisor", "lss"} {
		if got, err := ParseWorkstationKind(k); err != nil || string(got) != k {
			t.Errorf("ParseWorkstationKind(%q) = %q, %v", k, got, err)
		}
	}
	for _, k := range []string{"", "hub", "LSS", "primary "} {
		if _, err := ParseWorkstationKind(k); err == nil {
			t.Errorf("ParseWorkstationKind(%q) accepted", k)
		}
	}
}
