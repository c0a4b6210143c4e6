package lpr

import (
	"context"
	"errors"
	"fmt"
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

// ptyDevice is a simulated plate reader: the test writes to master, the decoder reads
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
	port, err := serial.OpenPort(&serial.Config{Name: slave.Name(), Baud: 115200, ReadTimeout: 50 * time.Millisecond})
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
	now := time.Now()
	frame := func(results string) string {
		return fmt.Sprintf(`{"data_type":"alpr_results","epoch_time":%d,"camera_id":"lane3","results":[%s]}`, now.UnixMilli(), results)
	}

	// A heartbeat and an empty frame produce nothing; the plate comes through.
	dev.write(t, `{"data_type":"heartbeat","uptime":5}`+"\n")
	dev.write(t, frame("")+"\r\n")
	dev.write(t, frame(`{"plate":"abc 1234","confidence":91.2,"region":"us-az","matches_template":1,"candidates":[{"plate":"ABC1234","confidence":91.2}]}`)+"\r\n")
	e := dev.next(t)
	if e.Kind != hardware.KindPlate {
		t.Fatalf("got %s %+v, want plate", e.Kind, e.Error)
	}
	if p := e.Plate; p.Plate != "ABC1234" || p.Region != "US-AZ" || p.Confidence != 91.2 || p.CameraID != "lane3" ||
		!e.At.Equal(time.UnixMilli(now.UnixMilli())) {
		t.Errorf("plate = %+v at %v", p, e.At)
	}

	// Garbage and an out-of-range confidence are errors; the stream recovers.
	dev.write(t, "\x00\xffnoise\n"+frame(`{"plate":"X1","confidence":140}`)+"\n"+frame(`{"plate":"Y2","confidence":77}`)+"\n")
	for _, want := range []string{"not a JSON object", "outside 0-100"} {
		if e := dev.next(t); e.Kind != hardware.KindError || !strings.Contains(e.Error.Err, want) {
			t.Fatalf("got %s %+v, want error %q", e.Kind, e.Error, want)
		}
	}
	if e := dev.next(t); e.Kind != hardware.KindPlate || e.Plate.Plate != "Y2" {
		t.Fatalf("got %s %+v, want plate Y2", e.Kind, e.Plate)
	}

	// A frame cut off mid-way is reported once the line timeout passes
	// (noticed through read timeouts, i.e. Idle).
	dev.write(t, frame(`{"plate":"Z3","confidence":50}`)[:40])
	if e := dev.next(t); e.Kind != hardware.KindError || !strings.Contains(e.Error.Err, "bad JSON") {
		t.Fatalf("got %s %+v, want bad JSON error", e.Kind, e.Error)
	}
}
