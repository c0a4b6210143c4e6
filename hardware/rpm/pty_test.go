package rpm

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/internal/ptytest"
)

func TestPTYEndToEnd(t *testing.T) {
	dev := ptytest.RunDecoder(t, NewDecoder(Options{LineTimeout: 300 * time.Millisecond}), 9600)

	// A vehicle with a gamma alarm, sent as the monitor would: a line at a time.
	for _, l := range []string{
		"GB,000100,000110,000120,000130", "NB,000001,000002,000001,000000", "SP,08.0",
		"GS,000123,000145,000130,000128", "GA,002000,002100,001900,001800",
		"NS,000001,000002,000001,000001", "GX,000017,000004500",
	} {
		dev.Write(t, l+"\r\n")
		time.Sleep(5 * time.Millisecond)
	}
	e := dev.Next(t)
	if e.Kind != hardware.KindOccupancy {
		t.Fatalf("got %s %+v, want occupancy", e.Kind, e.Error)
	}
	o := e.Occupancy
	if o.Occupancy != 17 || !o.GammaAlarm || o.NeutronAlarm || o.MaxGamma != 7800 || o.MaxNeutron != 5 ||
		o.BackgroundGamma != 460 || o.Speed != 8 || o.End.Before(o.Start) {
		t.Errorf("occupancy = %+v", o)
	}

	// Garbage, then the stream resynchronises on the next line.
	dev.Write(t, "\x00\xff\x13garbage\r\nTT\r\n")
	if e := dev.Next(t); e.Kind != hardware.KindError || !strings.Contains(e.Error.Err, "non-printable") {
		t.Fatalf("got %s %+v, want error", e.Kind, e.Error)
	}
	if e := dev.Next(t); e.Kind != hardware.KindTamper || !e.Tamper.Active {
		t.Fatalf("got %s, want tamper active", e.Kind)
	}

	// A line cut off mid-way is discarded after the line timeout, which only
	// read timeouts (Idle) can notice.
	dev.Write(t, "GS,000123,0001")
	if e := dev.Next(t); e.Kind != hardware.KindError || !strings.Contains(e.Error.Err, "incomplete line") {
		t.Fatalf("got %s %+v, want incomplete line error", e.Kind, e.Error)
	}
}
