package sqlitestore

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// PIN verifiers. New ones are argon2id over HMAC-SHA-256(pepper, PIN): the
// pepper is a 32-byte secret kept in a 0600 file beside the database, never
// in it (the workstation's for local accounts, the port's for port
// accounts), so a database copied on its own cannot be brute-forced. Old
// rows are PBKDF2-HMAC-SHA-256 without a pepper; they are still checked at
// the cost they were made with and re-hashed at the next successful sign-in.
// Every row carries its algorithm and cost, so costs can be raised later.
const (
	pinAlgo              = "pbkdf2-sha256" // legacy, read only
	argonAlgo            = "argon2id-hmac-sha256-pepper"
	defaultPINIterations = 600_000
	pinSaltLen           = 16
	pinHashLen           = 32

	// Production argon2id cost (OWASP's first recommended setting): 19 MiB,
	// 2 passes, 1 lane; about 50 ms of CPU and a transient 19 MiB.
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
)

// PIN length rules (docs/design.md §6.1).
const (
	MinPINLen = 6
	MaxPINLen = 12
)

// ErrWeakPIN wraps the reason a new PIN was refused.
var ErrWeakPIN = errors.New("PIN refused")

// ValidatePIN checks a new PIN: 6 to 12 digits, not one repeated digit and
// not a run like 123456 or 987654 (the first PINs an attacker tries).
func ValidatePIN(pin []byte) error {
	if len(pin) < MinPINLen || len(pin) > MaxPINLen {
		return fmt.Errorf("%w: must be %d to %d digits, got %d characters", ErrWeakPIN, MinPINLen, MaxPINLen, len(pin))
	}
	same, up, down := true, true, true
	for i, c := range pin {
		if c < '0' || c > '9' {
			return fmt.Errorf("%w: must be digits only", ErrWeakPIN)
		}
		if i == 0 {
			continue
		}
		p := pin[i-1]
		same = same && c == p
		up = up && c == p+1
		down = down && c+1 == p
	}
	switch {
	case same:
		return fmt.Errorf("%w: one digit repeated", ErrWeakPIN)
	case up || down:
		return fmt.Errorf("%w: a run of consecutive digits", ErrWeakPIN)
	}
	return nil
}

// pinHash is a stored PIN verifier. For argon2id, iterations is the time
// cost, memory the KiB and threads the lanes.
type pinHash struct {
	algo            string
	iterations      int
	memory, threads int
	salt, hash      []byte
}

// argonCost is the argon2id cost a store uses for new verifiers. The store's
// PIN cost option (Options.PINIterations) is the switch: below the
// production PBKDF2 cost, which only tests of the sign-in logic set, argon2id
// runs at its minimum (64 KiB, 1 pass) so that tests hash in microseconds.
type argonCost struct{ time, memory, threads int }

func argonCostFor(pinIterations int) argonCost {
	if pinIterations < defaultPINIterations {
		return argonCost{time: 1, memory: 64, threads: 1}
	}
	return argonCost{time: argonTime, memory: argonMemory, threads: argonThreads}
}

// newArgonHash draws a fresh salt and hashes pin with pepper at cost c.
func newArgonHash(pin, pepper []byte, c argonCost) (pinHash, error) {
	if len(pepper) == 0 {
		return pinHash{}, errors.New("hash PIN: no pepper")
	}
	salt := make([]byte, pinSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return pinHash{}, fmt.Errorf("draw PIN salt: %w", err)
	}
	h := pinHash{algo: argonAlgo, iterations: c.time, memory: c.memory, threads: c.threads, salt: salt}
	h.hash = h.derive(pin, pepper)
	return h, nil
}

// maxArgonMemory bounds the memory a stored row may ask for (1 GiB), so a
// damaged or hostile row cannot exhaust the workstation.
const maxArgonMemory = 1 << 20

func (p pinHash) derive(pin, pepper []byte) []byte {
	mac := hmac.New(sha256.New, pepper)
	mac.Write(pin)
	return argon2.IDKey(mac.Sum(nil), p.salt, uint32(p.iterations), uint32(p.memory), uint8(p.threads), pinHashLen)
}

// newPINHash is the legacy PBKDF2 verifier, kept so tests can make the rows
// an older build wrote.
func newPINHash(pin []byte, iterations int) (pinHash, error) {
	salt := make([]byte, pinSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return pinHash{}, fmt.Errorf("draw PIN salt: %w", err)
	}
	h, err := derivePIN(pin, salt, iterations)
	if err != nil {
		return pinHash{}, err
	}
	return pinHash{algo: pinAlgo, iterations: iterations, salt: salt, hash: h}, nil
}

func derivePIN(pin, salt []byte, iterations int) ([]byte, error) {
	h, err := pbkdf2.Key(sha256.New, string(pin), salt, iterations, pinHashLen)
	if err != nil {
		return nil, fmt.Errorf("hash PIN: %w", err)
	}
	return h, nil
}

// matches reports whether pin (with pepper, for argon2id rows) hashes to p,
// comparing in constant time. A row with an unknown algorithm or an
// unreasonable cost matches nothing.
func (p pinHash) matches(pin, pepper []byte) bool {
	switch p.algo {
	case pinAlgo:
		if p.iterations <= 0 || p.iterations > 100_000_000 {
			return false
		}
		h, err := derivePIN(pin, p.salt, p.iterations)
		if err != nil {
			return false
		}
		return subtle.ConstantTimeCompare(h, p.hash) == 1
	case argonAlgo:
		if len(pepper) == 0 || p.iterations <= 0 || p.iterations > 100 || p.memory < 8 || p.memory > maxArgonMemory ||
			p.threads <= 0 || p.threads > 255 || len(p.hash) != pinHashLen {
			return false
		}
		return subtle.ConstantTimeCompare(p.derive(pin, pepper), p.hash) == 1
	}
	return false
}

// legacy reports whether the verifier should be re-hashed at the next
// successful sign-in.
func (p pinHash) legacy() bool { return p.algo != argonAlgo }

// decoyPIN is hashed when the badge does not exist, so an unknown badge costs
// what a real account's check costs and timing does not reveal which badges
// exist. Its all-zero hash matches no PIN.
func decoyPIN(pinIterations int) pinHash {
	c := argonCostFor(pinIterations)
	return pinHash{algo: argonAlgo, iterations: c.time, memory: c.memory, threads: c.threads,
		salt: make([]byte, pinSaltLen), hash: make([]byte, pinHashLen)}
}

// decoyPepper stands in for a pepper when checking the decoy.
var decoyPepper = make([]byte, pepperLen)
