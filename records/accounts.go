package records

import "time"

// PortAccount is a port officer account as the port server sends it down
// to workstations: a cached verifier (argon2id over the port pepper, which
// travels separately and is never stored with it), the account's roles,
// and its state. Every change at the server gives it a higher Version.
type PortAccount struct {
	Badge       string    `json:"badge"`
	Name        string    `json:"name"`
	Roles       string    `json:"roles"`
	PINAlgo     string    `json:"pin_algo"`
	PINTime     int       `json:"pin_time"`
	PINMemory   int       `json:"pin_memory"`
	PINThreads  int       `json:"pin_threads"`
	PINSalt     []byte    `json:"pin_salt"`
	PINHash     []byte    `json:"pin_hash"`
	CreatedAt   time.Time `json:"created_at"`
	DisabledAt  time.Time `json:"disabled_at,omitzero"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	Version     int64     `json:"version"`
}

// AccountsUpdate is what a workstation received from the port server.
type AccountsUpdate struct {
	// Pepper is the port pepper, kept by the workstation in a 0600 file
	// and never in its database; nil keeps the file as it is.
	Pepper []byte
	// Accounts changed since the version the workstation asked after.
	Accounts []PortAccount
	// HeardAt is when the server answered: the account cache's age counts
	// from it.
	HeardAt time.Time
}
