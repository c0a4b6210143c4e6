package hardware

import (
	"math/rand/v2"
	"time"
)

// backoff yields reopen delays that double from min to max. Each delay is
// jittered into [d/2, d] so that booths on one power circuit do not hammer a
// USB hub in lockstep after an outage, and never exceeds max, which is what
// bounds how soon a replugged device is seen.
type backoff struct {
	min, max, cur time.Duration
}

func newBackoff(min, max time.Duration) *backoff {
	return &backoff{min: min, max: max, cur: min}
}

func (b *backoff) next() time.Duration {
	d := b.cur
	b.cur = min(b.cur*2, b.max)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

func (b *backoff) reset() { b.cur = b.min }
