// Package dectest holds checks shared by the serial decoders' tests.
package dectest

import (
	"reflect"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

// SameWhenChunked feeds data at now to one fresh decoder whole and to
// another in pseudo-random chunks drawn from seed, then lets both go idle
// for an hour. It fails t when chunking changes the events, and calls
// bounded with the chunked decoder after every chunk so the caller can
// assert its buffers stay bounded. It returns the chunked decoder's events.
func SameWhenChunked[D hardware.Decoder](t *testing.T, newDecoder func() D, data []byte, seed uint64, now time.Time, bounded func(D)) []hardware.Event {
	t.Helper()
	whole := newDecoder()
	want := whole.Feed(data, now)
	want = append(want, whole.Idle(now.Add(time.Hour))...)

	chunked := newDecoder()
	var got []hardware.Event
	for rest := data; len(rest) > 0; {
		seed = seed*6364136223846793005 + 1442695040888963407
		n := 1 + int(seed>>33)%len(rest)
		got = append(got, chunked.Feed(rest[:n], now)...)
		rest = rest[n:]
		bounded(chunked)
	}
	got = append(got, chunked.Idle(now.Add(time.Hour))...)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("chunking changed the result:\n got %v\nwant %v", got, want)
	}
	return got
}
