package simulator

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tarm/serial"
)

// startSim starts a quiet simulator (no idle traffic) at high speed and
// closes it when the test ends.
func startSim(t *testing.T, opts Options) *Sim {
	t.Helper()
	if opts.Speed == 0 {
		opts.Speed = 50
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Seed = 42
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// openSerial opens a device path the way the booth's drivers do.
func openSerial(t *testing.T, path string) *serial.Port {
	t.Helper()
	p, err := serial.OpenPort(&serial.Config{Name: path, Baud: 9600, ReadTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// readUntil reads from p until want bytes have arrived or the stream has
// been silent for quiet. tarm/serial reports a read timeout as io.EOF.
func readAll(t *testing.T, p io.Reader, want int, quiet time.Duration) []byte {
	t.Helper()
	var got bytes.Buffer
	buf := make([]byte, 4096)
	last := time.Now()
	for got.Len() < want && time.Since(last) < quiet {
		n, err := p.Read(buf)
		got.Write(buf[:n])
		if n > 0 {
			last = time.Now()
		}
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("read: %v", err)
		}
	}
	return got.Bytes()
}

// readUntil reads from p until done(got) holds or limit passes (a guard
// against hanging, not a timing assertion).
func readUntil(t *testing.T, p io.Reader, done func([]byte) bool, limit time.Duration) []byte {
	t.Helper()
	var got []byte
	buf := make([]byte, 4096)
	for deadline := time.Now().Add(limit); !done(got) && time.Now().Before(deadline); {
		n, err := p.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("read: %v", err)
		}
	}
	return got
}
