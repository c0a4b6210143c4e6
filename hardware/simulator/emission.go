package simulator

import (
	"time"

	"github.com/portofentry/booth/hardware"
)

// emission is one write the player makes: bytes for a device at an offset
// from the start of the step. Offsets are in scenario time; the player
// divides them by Options.Speed.
type emission struct {
	dev hardware.Device
	at  time.Duration
	// data is written as is; when nil, gen makes the bytes from the wall
	// time of the write (for wire fields that carry a timestamp).
	data []byte
	gen  func(now time.Time) []byte
	// action, when set, replaces the write (unplug and replug).
	action func(s *Sim) error
}

// bytesAt returns what the emission writes at wall time now.
func (e emission) bytesAt(now time.Time) []byte {
	if e.data != nil || e.gen == nil {
		return e.data
	}
	return e.gen(now)
}
