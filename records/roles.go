package records

import (
	"fmt"
	"slices"
	"strings"
)

// Accounts and roles (docs/design.md §6, docs/security.md): an officer
// account holds a set of roles, a workstation has exactly one kind, and what
// a sign-in may do follows from the two alone. This file is the rule; the
// store, the TUI, the port server and the hub apply it.

// Role is one thing an officer account may do.
type Role string

// The roles an account may hold.
const (
	RolePrimary    Role = "primary"
	RoleSecondary  Role = "secondary"
	RoleSupervisor Role = "supervisor"
	// RoleLSS is an LSS scientist's: an account managed at the hub
	// (`hub officer add`) that answers RPM alarms of every port at an lss
	// workstation. It is an account's only role (ParseRoles refuses it
	// beside a port role): scientists are not port officers.
	RoleLSS Role = "lss"
)

// AllRoles lists every role, in the order accounts show them.
var AllRoles = []Role{RolePrimary, RoleSecondary, RoleSupervisor, RoleLSS}

// WorkstationKind is what a workstation is: a primary booth, a secondary
// workstation or a supervisor console. It is named in the workstation's
// configuration (`role`) and in its certificate's OU.
type WorkstationKind string

// The workstation kinds.
const (
	WorkstationPrimary    WorkstationKind = "primary"
	WorkstationSecondary  WorkstationKind = "secondary"
	WorkstationSupervisor WorkstationKind = "supervisor"
)

// WorkstationLSS is the hub's workstation where LSS scientists answer RPM
// alarms of every port (`booth --role lss`, kind lss in its national
// certificate). It is not a port's workstation, so it is not in
// AllWorkstationKinds: only an lss account signs in there, and a port's
// supervisor does not.
const WorkstationLSS WorkstationKind = "lss"

// AllWorkstationKinds lists every kind of a port's workstation (the kinds a
// port server certifies and a port supervisor may sign in at); the hub's
// kind is WorkstationLSS.
var AllWorkstationKinds = []WorkstationKind{WorkstationPrimary, WorkstationSecondary, WorkstationSupervisor}

// ParseWorkstationKind checks a kind's name: a port's kind or lss.
func ParseWorkstationKind(s string) (WorkstationKind, error) {
	k := WorkstationKind(s)
	if !slices.Contains(AllWorkstationKinds, k) && k != WorkstationLSS {
		return "", fmt.Errorf("workstation kind %q is not primary, secondary, supervisor or lss", s)
	}
	return k, nil
}

// Roles is a set of roles, kept sorted in AllRoles order without repeats.
type Roles []Role

// ParseRoles reads a comma-separated set such as "primary,secondary"
// (spaces allowed, order and repeats ignored). An empty set, an unknown
// role, or lss beside another role is an error naming it.
func ParseRoles(s string) (Roles, error) {
	seen := map[Role]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		r := Role(f)
		if !slices.Contains(AllRoles, r) {
			return nil, fmt.Errorf("role %q is not primary, secondary, supervisor or lss", f)
		}
		seen[r] = true
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("an account needs at least one role (primary, secondary, supervisor, lss), got %q", s)
	}
	if seen[RoleLSS] && len(seen) > 1 {
		return nil, fmt.Errorf("role lss is an LSS scientist's account's only role (managed at the hub), got %q", s)
	}
	var out Roles
	for _, r := range AllRoles {
		if seen[r] {
			out = append(out, r)
		}
	}
	return out, nil
}

// String is the set as ParseRoles reads it: "primary,secondary".
func (rs Roles) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

// Has reports whether the set holds r.
func (rs Roles) Has(r Role) bool { return slices.Contains(rs, r) }

// Writes reports whether the set holds a writing role (primary or
// secondary). The port server refuses any event whose officer is an account
// without one. An lss account writes only its answers at the hub, never a
// port's events, so it is not a writing role here.
func (rs Roles) Writes() bool { return rs.Has(RolePrimary) || rs.Has(RoleSecondary) }

// Access is what a sign-in gets at a workstation.
type Access int

// The outcomes of SignInAccess.
const (
	// AccessRefused: the account has no role for this kind of workstation.
	AccessRefused Access = iota
	// AccessReadOnly: read-only screens, no write action bound.
	AccessReadOnly
	// AccessWrite: the workstation's full screens.
	AccessWrite
)

func (a Access) String() string {
	switch a {
	case AccessReadOnly:
		return "read-only"
	case AccessWrite:
		return "write"
	}
	return "refused"
}

// SignInAccess is the rule for signing in with roles at a workstation of
// kind: the workstation's kind must be among the roles, and then the officer
// writes, except at a supervisor console, which is read-only for everyone.
// A supervisor may sign in at any of a port's workstations and is read-only
// there: an account that is supervisor and not also of the workstation's
// kind never writes. The hub's lss workstation takes lss accounts only (an
// LSS scientist answers there), and an lss account signs in nowhere else.
// forceReadOnly (`booth --read-only`) makes every sign-in read-only. An
// unknown kind refuses everyone.
func SignInAccess(roles Roles, kind WorkstationKind, forceReadOnly bool) Access {
	var a Access
	switch {
	case kind == WorkstationSupervisor && roles.Has(RoleSupervisor):
		a = AccessReadOnly
	case kind == WorkstationPrimary && roles.Has(RolePrimary), kind == WorkstationSecondary && roles.Has(RoleSecondary),
		kind == WorkstationLSS && roles.Has(RoleLSS):
		a = AccessWrite
	case slices.Contains(AllWorkstationKinds, kind) && roles.Has(RoleSupervisor):
		a = AccessReadOnly
	default:
		return AccessRefused
	}
	if forceReadOnly {
		return AccessReadOnly
	}
	return a
}
