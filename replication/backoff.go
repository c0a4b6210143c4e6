package replication

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"time"
)

// backoff is exponential with full jitter around the nominal delay, so a
// port's booths reconnecting after an outage do not retry in lock-step.
type backoff struct {
	min, max time.Duration
	failures int
}

// next returns the delay before the next attempt and counts a failure.
func (b *backoff) next() time.Duration {
	d := b.min << min(b.failures, 20)
	if d <= 0 || d > b.max {
		d = b.max
	}
	b.failures++
	// Uniform in [d/2, d*3/2).
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

func (b *backoff) reset() { b.failures = 0 }

// sleep waits d or until ctx is done; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
