package ptytest

import (
	"context"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

// StartPort plugs a pty named name and runs a hardware.Port for device over
// it with dec and the device's default configuration, until the test ends.
// It returns once the port reports connected.
func StartPort(t testing.TB, device hardware.Device, name string, dec hardware.Decoder) (*Device, <-chan hardware.Event, *hardware.Port) {
	t.Helper()
	dev := Plug(t, name)
	port, err := hardware.NewPort(device, hardware.DefaultPortConfig(device, dev.Link), dec, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan hardware.Event, 64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = port.Run(ctx, out) }()
	t.Cleanup(func() { cancel(); <-done })
	WaitFor(t, out, 5*time.Second, State(hardware.StateConnected))
	return dev, out, port
}

// BenchLatency measures, through the real pty and port loop, the time from
// the last byte of frame(i) written to the pty master to the next event
// received from out, which must be of kind want. Everything but the last
// byte is written first, so the measure is the device's last byte to the
// typed event. It reports the p50 and p99 (ReportLatency).
func BenchLatency(b *testing.B, dev *Device, out <-chan hardware.Event, want hardware.EventKind, frame func(i int) []byte) {
	b.Helper()
	master := dev.Master()
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		p := frame(i)
		if _, err := master.Write(p[:len(p)-1]); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := master.Write(p[len(p)-1:]); err != nil {
			b.Fatal(err)
		}
		ev := <-out
		samples = append(samples, time.Since(t0))
		if ev.Kind != want {
			b.Fatalf("got %s", Describe([]hardware.Event{ev}))
		}
	}
	b.StopTimer()
	ReportLatency(b, samples)
}
