package records

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// maxForwardRef bounds a capture's or the biometric system's reference: both
// are short identifiers, never free text.
const maxForwardRef = 128

// Validate applies the rules of a biometric.forwarded payload: both
// references present, short and printable, and both times set. The port
// server refuses (quarantines) a forward that breaks them.
func (f BiometricForwarded) Validate() error {
	var errs []error
	for _, r := range []struct{ name, v string }{{"capture_ref", f.CaptureRef}, {"biometric_ref", f.BiometricRef}} {
		if err := checkRef(r.v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.name, err))
		}
	}
	if f.CapturedAt.IsZero() {
		errs = append(errs, errors.New("captured_at: missing"))
	}
	if f.ForwardedAt.IsZero() {
		errs = append(errs, errors.New("forwarded_at: missing"))
	}
	return errors.Join(errs...)
}

func checkRef(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("missing or blank")
	case len(s) > maxForwardRef:
		return fmt.Errorf("%d bytes, at most %d", len(s), maxForwardRef)
	case strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0:
		return fmt.Errorf("%q has a space or control character", s)
	}
	return nil
}
