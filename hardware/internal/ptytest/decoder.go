package ptytest

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/tarm/serial"

	"github.com/portofentry/booth/hardware"
)

// DecoderLoop is a simulated device wired straight to a decoder, without
// the port's reconnect machinery: the test writes wire bytes to the pty
// master, and a read loop reads the slave through tarm/serial exactly as the
// booth reads a real port.
type DecoderLoop struct {
	master *os.File
	events chan hardware.Event
}

// RunDecoder starts a read loop over a fresh pseudo-terminal opened at baud:
// every chunk read goes to dec.Feed and every read timeout (io.EOF from
// tarm/serial) to dec.Idle. The test is skipped when the system has no
// pseudo-terminals. The loop stops when the test ends.
func RunDecoder(t *testing.T, dec hardware.Decoder, baud int) *DecoderLoop {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	port, err := serial.OpenPort(&serial.Config{Name: slave.Name(), Baud: baud, ReadTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("open %s: %v", slave.Name(), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan hardware.Event, 256)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 512)
		for ctx.Err() == nil {
			n, err := port.Read(buf)
			var evs []hardware.Event
			switch {
			case n > 0:
				evs = dec.Feed(buf[:n], time.Now())
			case errors.Is(err, io.EOF):
				evs = dec.Idle(time.Now())
			case err != nil:
				t.Errorf("read: %v", err)
				return
			}
			for _, e := range evs {
				select {
				case events <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		port.Close()
		slave.Close()
		master.Close()
	})
	return &DecoderLoop{master: master, events: events}
}

// Write sends s to the decoder's port.
func (l *DecoderLoop) Write(t *testing.T, s string) {
	t.Helper()
	if _, err := l.master.Write([]byte(s)); err != nil {
		t.Fatalf("write to pty: %v", err)
	}
}

// Next waits for the next event; the deadline only guards against a hang.
func (l *DecoderLoop) Next(t *testing.T) hardware.Event {
	t.Helper()
	select {
	case e := <-l.events:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event from the decoder within 5s")
		return hardware.Event{}
	}
}
