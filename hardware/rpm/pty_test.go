package rpm

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/tarm/serial"

	"github.com/portofentry/booth/hardware"
)

// ptyDevice is a simulated RPM: the test writes to master, the decoder reads
// the slave through tarm/serial exactly as the booth reads a real port.
type ptyDevice struct {
	master *os.File
	events chan hardware.Event
	stop   func()
}

// openPTY starts a read loop over a fresh pseudo-terminal: every chunk goes
// to dec.Feed and every read timeout (io.EOF from tarm/serial) to dec.Idle.
func openPTY(t *testing.T, dec hardware.Decoder) *ptyDevice {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	port, err := serial.OpenPort(&serial.Config{Name: slave.Name(), Baud: 9600, ReadTimeout: 50 * time.Millisecond})
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
	d := &ptyDevice{master: master, events: events}
	d.stop = sync.OnceFunc(func() {
		cancel()
		wg.Wait()
		port.Close()
		slave.Close()
		master.Close()
	})
	t.Cleanup(d.stop)
	return d
}

// write sends s to the decoder's port.
func (d *ptyDevice) write(t *testing.T, s string) {
	t.Helper()
	if _, err := d.master.Write([]byte(s)); err != nil {
		t.Fatalf("write to pty: %v", err)
	}
}

// next waits for the next event; the deadline only guards against a hang.
func (d *ptyDevice) next(t *testing.T) hardware.Event {
	t.Helper()
	select {
	case e := <-d.events:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event from the decoder within 5s")
		return hardware.Event{}
	}
}

func TestPTYEndToEnd(t *testing.T) {
	dev := openPTY(t, NewDecoder(Options{LineTimeout: 300 * time.Millisecond}))

	// A vehicle with a gamma alarm, sent as the monitor would: a line at a time.
	for _, l := range []string{
		"GB,000100,000110,000120,000130", "NB,000001,000002,000001,000000", "SP,08.0",
		"GS,000123,000145,000130,000128", "GA,002000,002100,001900,001800",
		"NS,000001,000002,000001,000001", "GX,000017,000004500",
	} {
		dev.write(t, l+"\r\n")
		time.Sleep(5 * time.Millisecond)
	}
	e := dev.next(t)
	if e.Kind != hardware.KindOccupancy {
		t.Fatalf("got %s %+v, want occupancy", e.Kind, e.Error)
	}
	o := e.Occupancy
	if o.Occupancy != 17 || !o.GammaAlarm || o.NeutronAlarm || o.MaxGamma != 7800 || o.MaxNeutron != 5 ||
		o.BackgroundGamma != 460 || o.Speed != 8 || o.End.Before(o.Start) {
		t.Errorf("occupancy = %+v", o)
	}

	// Garbage, then the stream resynchronises on the next line.
	dev.write(t, "\x00\xff\x13garbage\r\nTT\r\n")
	if e := dev.next(t); e.Kind != hardware.KindError || !strings.Contains(e.Error.Err, "non-printable") {
		t.Fatalf("got %s %+v, want error", e.Kind, e.Error)
	}
	if e := dev.next(t); e.Kind != hardware.KindTamper || !e.Tamper.Active {
		t.Fatalf("got %s, want tamper active", e.Kind)
	}

	// A line cut off mid-way is discarded after the line timeout, which only
	// read timeouts (Idle) can notice.
	dev.write(t, "GS,000123,0001")
	if e := dev.next(t); e.Kind != hardware.KindError || !strings.Contains(e.Error.Err, "incomplete line") {
		t.Fatalf("got %s %+v, want incomplete line error", e.Kind, e.Error)
	}
}
