package lpr

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/internal/dectest"
)

// FuzzLPRDecoder feeds arbitrary bytes, whole and in arbitrary chunks, and
// checks that the decoder never panics, keeps its buffer bounded, emits only
// well-formed events with sane plates, and that chunking does not change the
// result.
func FuzzLPRDecoder(f *testing.F) {
	f.Add([]byte(frameJSON(0, abc)+"\n"), uint64(3))
	f.Add([]byte(frameJSON(0, `{"plate":"XYZ999","confidence":95,"matches_template":0},{"plate":"bcd 12-34","confidence":85,"region":"mx-bcn","matches_template":1}`)+"\r\n"), uint64(11))
	f.Add([]byte(`{"data_type":"heartbeat"}`+"\n"+frameJSON(0, "")+"\n"+frameJSON(-time.Hour, abc)+"\n"), uint64(5))
	f.Add([]byte(frameJSON(0, `{"plate":"A1","confidence":140}`)+"\n\x00\xff{\"data_type\":1}\n[1]\nnull\n"), uint64(0))
	f.Add([]byte(`{"data_type":"alpr_results","camera_id":12,"epoch_time":-1,"results":[{"plate":"Ä","confidence":1e999}]}`+"\n"), uint64(9))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		opts := Options{MaxLine: 256}
		got := dectest.SameWhenChunked(t, func() *Decoder { return NewDecoder(opts) }, data, seed, t0, func(d *Decoder) {
			if d.lines.Buffered() > opts.MaxLine {
				t.Fatalf("buffer grew to %d bytes", d.lines.Buffered())
			}
		})
		for _, e := range got {
			checkEvent(t, e)
		}
	})
}

func checkEvent(t *testing.T, e hardware.Event) {
	t.Helper()
	if e.Device != hardware.DeviceLPR {
		t.Fatalf("device = %q", e.Device)
	}
	switch e.Kind {
	case hardware.KindError:
		if e.Error == nil || e.Plate != nil || len(e.Error.Raw) > maxRaw {
			t.Fatalf("bad error event %+v", e)
		}
	case hardware.KindPlate:
		p := e.Plate
		if p == nil || e.Error != nil {
			t.Fatalf("bad plate event %+v", e)
		}
		if p.Confidence < 0 || p.Confidence > 100 || normalizeRegion(p.Region) != p.Region || len(p.CameraID) > 4*maxCameraIDLen {
			t.Fatalf("bad plate %+v", p)
		}
		if n, err := normalizePlate(p.Plate); err != nil || n != p.Plate {
			t.Fatalf("plate %q not normalised", p.Plate)
		}
		for _, c := range p.Candidates {
			if c.Confidence < 0 || c.Confidence > 100 || c.Plate == "" {
				t.Fatalf("bad candidate %+v", c)
			}
		}
	default:
		t.Fatalf("unexpected kind %q", e.Kind)
	}
	if _, err := json.Marshal(e); err != nil {
		t.Fatalf("marshal: %v", err)
	}
}
