package rpm

import (
	"encoding/json"
	"testing"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/internal/dectest"
)

// FuzzRPMDecoder feeds arbitrary bytes, whole and in arbitrary chunks, and
// checks that the decoder never panics, keeps its buffer bounded, emits only
// well-formed events, and that chunking does not change the result.
func FuzzRPMDecoder(f *testing.F) {
	f.Add([]byte("GB,000100,000110,000120,000130\r\nGS,000123,000145,000130,000128\r\nGA,2000,2100,1900,1800\r\nGX,000042,000004500\r\n"), uint64(7))
	f.Add([]byte("SP,0.2237,12.25,19.71\nNS,1,1,1,1\nNA,9,9,9,9\nGX,1,0\n"), uint64(3))
	f.Add([]byte("GH,9000,9100,9050,9000\rGL\rNH,1,2,3,4\rTT\rTC\r"), uint64(1))
	f.Add([]byte("GX,5\r\nSP,NaN\r\nGS,-1,2,3,4\r\n\x00\xff\xfe,,,\r\n"), uint64(0))
	f.Add([]byte("SG1,1,2\nSN2\n,,,,\n  gs , 1 ,2, 3 ,4  \ngx,1,\n"), uint64(42))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		opts := Options{MaxLine: 64}
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

// checkEvent asserts the device-event contract: device rpm, exactly the
// payload of its kind, sane values, and a marshalable JSON line.
func checkEvent(t *testing.T, e hardware.Event) {
	t.Helper()
	if e.Device != hardware.DeviceRPM {
		t.Fatalf("device = %q", e.Device)
	}
	set := map[hardware.EventKind]bool{
		hardware.KindError: e.Error != nil, hardware.KindOccupancy: e.Occupancy != nil,
		hardware.KindFault: e.Fault != nil, hardware.KindTamper: e.Tamper != nil,
	}
	for k, ok := range set {
		if ok != (k == e.Kind) {
			t.Fatalf("event %s has payload mismatch: %+v", e.Kind, e)
		}
	}
	if e.Status != nil || e.Document != nil || e.Tag != nil || e.Plate != nil {
		t.Fatalf("foreign payload on rpm event: %+v", e)
	}
	if o := e.Occupancy; o != nil {
		if o.MaxGamma < 0 || o.MaxNeutron < 0 || o.BackgroundGamma < 0 || o.Speed < 0 || o.Speed > maxSpeed || o.End.Before(o.Start) {
			t.Fatalf("bad occupancy %+v", o)
		}
	}
	if _, err := json.Marshal(e); err != nil {
		t.Fatalf("marshal: %v", err)
	}
}
