package records

import (
	"fmt"
	"testing"
)

// TestSignInAccessEveryRoleSetAndKind covers every non-empty role set at
// every workstation kind, with and without --read-only.
func TestSignInAccessEveryRoleSetAndKind(t *testing.T) {
	t.Parallel()
	const (
		R = AccessRefused
		O = AccessReadOnly
		W = AccessWrite
	)
	// want[roles][kind] without --read-only; kinds in order primary,
	// secondary, supervisor.
	want := map[string][3]Access{
		"primary":                      {W, R, R},
		"secondary":                    {R, W, R},
		"supervisor":                   {O, O, O},
		"primary,secondary":            {W, W, R},
		"primary,supervisor":           {W, O, O},
		"secondary,supervisor":         {O, W, O},
		"primary,secondary,supervisor": {W, W, O},
	}
	// Every subset of AllRoles is in the table.
	for mask := 1; mask < 1<<len(AllRoles); mask++ {
		var rs Roles
		for i, r := range AllRoles {
			if mask&(1<<i) != 0 {
				rs = append(rs, r)
			}
		}
		if _, ok := want[rs.String()]; !ok {
			t.Fatalf("role set %q missing from the table", rs)
		}
	}
	for set, byKind := range want {
		rs, err := ParseRoles(set)
		if err != nil {
			t.Fatal(err)
		}
		for i, kind := range AllWorkstationKinds {
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
	if got := SignInAccess(Roles{RoleSupervisor}, "lss", false); got != R {
		t.Errorf("unknown kind: got %s, want refused", got)
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
	if r, _ := ParseRoles("supervisor"); r.Writes() {
		t.Error("supervisor alone must not write")
	}
	if _, err := ParseWorkstationKind("lss"); err == nil {
		t.Error("lss is not a workstation kind here")
	}
}
