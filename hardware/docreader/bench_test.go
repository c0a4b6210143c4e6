package docreader_test

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/docreader"
	"github.com/portofentry/booth/hardware/internal/ptytest"
)

// BenchmarkTD3Latency measures, through a real pty and the real port loop,
// the time from the last byte of a TD3 read (two lines of 44 + CRLF, 92
// bytes) written to the pty master to the typed document event received
// from the port's channel. Budget (docs/design.md §7): p99 <= 2 ms.
func BenchmarkTD3Latency(b *testing.B) {
	benchLatency(b, docreader.Options{}, plain(td3))
}

// BenchmarkFramedTD3Latency is the same for a framed read with a BCC
// (SOH header, STX, lines, ETX, BCC), which completes at the BCC byte.
func BenchmarkFramedTD3Latency(b *testing.B) {
	benchLatency(b, docreader.Options{BCC: docreader.BCCOn}, framed(td3, true))
}

func benchLatency(b *testing.B, opts docreader.Options, frame []byte) {
	dev, out, _ := startPort(b, opts)
	ptytest.BenchLatency(b, dev, out, hardware.KindDocument, func(int) []byte { return frame })
}

// BenchmarkDecodeTD3 is the decoder alone: one TD3 read fed in one chunk.
func BenchmarkDecodeTD3(b *testing.B) {
	d := docreader.NewDecoder(docreader.Options{})
	read := []byte(strings.Join(td3, "\r\n") + "\r\n")
	now := time.Now()
	b.SetBytes(int64(len(read)))
	b.ReportAllocs()
	for range b.N {
		if evs := d.Feed(read, now); len(evs) != 1 {
			b.Fatal(len(evs))
		}
	}
}
