package sqlitestore

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
)

// PIN hashing parameters. PBKDF2-HMAC-SHA-256 at 600,000 iterations is the
// OWASP 2023 floor for PBKDF2; the iteration count is stored per officer so
// it can be raised without invalidating existing PINs.
const (
	pinAlgo              = "pbkdf2-sha256"
	defaultPINIterations = 600_000
	pinSaltLen           = 16
	pinHashLen           = 32
)

// PIN length rules (DESIGN §6).
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

// pinHash is a stored PIN verifier.
type pinHash struct {
	algo       string
	iterations int
	salt, hash []byte
}

// newPINHash draws a fresh random salt and hashes pin with it at the given
// cost (iterations).
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

// matches reports whether pin hashes to p, comparing in constant time.
func (p pinHash) matches(pin []byte) bool {
	if p.algo != pinAlgo || p.iterations <= 0 || p.iterations > 100_000_000 {
		return false
	}
	h, err := derivePIN(pin, p.salt, p.iterations)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(h, p.hash) == 1
}

// decoyPIN is hashed when the badge does not exist, so an unknown badge costs
// the same time as a wrong PIN and timing does not reveal which badges exist.
// Its all-zero hash matches no PIN. It costs what a new hash costs.
func decoyPIN(iterations int) pinHash {
	return pinHash{algo: pinAlgo, iterations: iterations, salt: make([]byte, pinSaltLen), hash: make([]byte, pinHashLen)}
}
