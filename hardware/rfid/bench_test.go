package rfid_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/internal/ptytest"
	"github.com/portofentry/booth/hardware/rfid"
)

// BenchmarkTagLatency measures, through a real pty and the real port loop,
// the time from the last byte of an RFID line (EPC,ANT,RSSI CRLF, 33 bytes)
// written to the pty master to the typed tag event received. Each read is a
// new EPC so de-duplication does not swallow it. Budget: p99 <= 2 ms.
func BenchmarkTagLatency(b *testing.B) {
	dev := ptytest.Plug(b, "usb-rfid")
	port, err := hardware.NewPort(hardware.DeviceRFID, hardware.DefaultPortConfig(hardware.DeviceRFID, dev.Link), rfid.NewDecoder(rfid.Options{}), nil)
	if err != nil {
		b.Fatal(err)
	}
	out := make(chan hardware.Event, 64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = port.Run(ctx, out) }()
	defer func() { cancel(); <-done }()
	ptytest.WaitFor(b, out, 5*time.Second, ptytest.State(hardware.StateConnected))

	master := dev.Master()
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		line := fmt.Appendf(nil, "E2003411B8020115%08X,1,-52\r\n", i)
		if _, err := master.Write(line[:len(line)-1]); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := master.Write(line[len(line)-1:]); err != nil {
			b.Fatal(err)
		}
		ev := <-out
		samples = append(samples, time.Since(t0))
		if ev.Kind != hardware.KindTag {
			b.Fatalf("got %s", ptytest.Describe([]hardware.Event{ev}))
		}
	}
	b.StopTimer()
	ptytest.ReportLatency(b, samples)
}

// BenchmarkDecodeTag is the decoder alone, one new tag line per op.
func BenchmarkDecodeTag(b *testing.B) {
	d := rfid.NewDecoder(rfid.Options{})
	now := time.Now()
	b.ReportAllocs()
	for i := range b.N {
		line := fmt.Appendf(nil, "E2003411B8020115%08X,1,-52\r\n", i%4096)
		d.Feed(line, now)
		now = now.Add(3 * time.Millisecond)
	}
}
