package lpr

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/internal/ptytest"
)

func TestPTYEndToEnd(t *testing.T) {
	dev := ptytest.RunDecoder(t, NewDecoder(Options{LineTimeout: 300 * time.Millisecond}), 115200)
	now := time.Now()
	frame := func(results string) string {
		return fmt.Sprintf(`{"data_type":"alpr_results","epoch_time":%d,"camera_id":"lane3","results":[%s]}`, now.UnixMilli(), results)
	}

	// A heartbeat and an empty frame produce nothing; the plate comes through.
	dev.Write(t, `{"data_type":"heartbeat","uptime":5}`+"\n")
	dev.Write(t, frame("")+"\r\n")
	dev.Write(t, frame(`{"plate":"abc 1234","confidence":91.2,"region":"us-az","matches_template":1,"candidates":[{"plate":"ABC1234","confidence":91.2}]}`)+"\r\n")
	e := dev.Next(t)
	if e.Kind != hardware.KindPlate {
		t.Fatalf("got %s %+v, want plate", e.Kind, e.Error)
	}
	if p := e.Plate; p.Plate != "ABC1234" || p.Region != "US-AZ" || p.Confidence != 91.2 || p.CameraID != "lane3" ||
		!e.At.Equal(time.UnixMilli(now.UnixMilli())) {
		t.Errorf("plate = %+v at %v", p, e.At)
	}

	// Garbage and an out-of-range confidence are errors; the stream recovers.
	dev.Write(t, "\x00\xffnoise\n"+frame(`{"plate":"X1","confidence":140}`)+"\n"+frame(`{"plate":"Y2","confidence":77}`)+"\n")
	for _, want := range []string{"not a JSON object", "outside 0-100"} {
		if e := dev.Next(t); e.Kind != hardware.KindError || !strings.Contains(e.Error.Err, want) {
			t.Fatalf("got %s %+v, want error %q", e.Kind, e.Error, want)
		}
	}
	if e := dev.Next(t); e.Kind != hardware.KindPlate || e.Plate.Plate != "Y2" {
		t.Fatalf("got %s %+v, want plate Y2", e.Kind, e.Plate)
	}

	// A frame cut off mid-way is reported once the line timeout passes
	// (noticed through read timeouts, i.e. Idle).
	dev.Write(t, frame(`{"plate":"Z3","confidence":50}`)[:40])
	if e := dev.Next(t); e.Kind != hardware.KindError || !strings.Contains(e.Error.Err, "bad JSON") {
		t.Fatalf("got %s %+v, want bad JSON error", e.Kind, e.Error)
	}
}
