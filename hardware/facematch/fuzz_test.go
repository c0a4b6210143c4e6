package facematch

import (
	"math"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// FuzzVerifyResponse checks that any matcher answer is either rejected or
// yields a verdict an officer may be shown: a known result, score and
// threshold in [0,1], consistent with each other, and a recent capture.
func FuzzVerifyResponse(f *testing.F) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	f.Add([]byte(`{"result":"match","score":0.93,"threshold":0.80,"capture_id":"c1","captured_at":"2026-11-25T09:59:58Z"}`))
	f.Add([]byte(`{"result":"no_match","score":0.2,"threshold":0.8}`))
	f.Add([]byte(`{"result":"no_face"}`))
	f.Add([]byte(`{"result":"not_enrolled","score":1e400}`))
	f.Add([]byte(`{"result":"match","score":0.5,"threshold":0.8,"captured_at":"1999-01-01T00:00:00Z"}`))
	f.Add([]byte("\x00garbage"))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := parseVerifyResponse(body, now, time.Minute)
		if err != nil {
			return
		}
		switch v.Result {
		case records.FaceMatch:
			if v.Score < v.Threshold {
				t.Fatalf("match below threshold: %+v", v)
			}
		case records.FaceNoMatch:
			if v.Score >= v.Threshold {
				t.Fatalf("no_match at or above threshold: %+v", v)
			}
		case records.FaceNoFace, records.FaceNotEnrolled:
		default:
			t.Fatalf("result %q accepted", v.Result)
		}
		for _, x := range []float64{v.Score, v.Threshold} {
			if math.IsNaN(x) || x < 0 || x > 1 {
				t.Fatalf("value out of range: %+v", v)
			}
		}
		if v.CaptureID != "" && checkID(v.CaptureID) != nil {
			t.Fatalf("bad capture id accepted: %q", v.CaptureID)
		}
		if !v.CapturedAt.IsZero() && (v.CapturedAt.Sub(now) > time.Minute || now.Sub(v.CapturedAt) > time.Minute) {
			t.Fatalf("stale capture accepted: %v", v.CapturedAt)
		}
		if v.Detail != "" {
			t.Fatalf("detail on a good answer: %q", v.Detail)
		}
	})
}
