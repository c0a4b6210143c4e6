package records

import (
	"strings"
	"testing"
	"time"
)

func TestBiometricForwardedValidate(t *testing.T) {
	ok := BiometricForwarded{CaptureRef: "cap-1", BiometricRef: "BIO-000001", CapturedAt: t0, ForwardedAt: t0.Add(time.Minute)}
	tests := []struct {
		name string
		mut  func(*BiometricForwarded)
		want string // "" when valid
	}{
		{"as the booth writes it", func(*BiometricForwarded) {}, ""},
		{"blank capture", func(f *BiometricForwarded) { f.CaptureRef = " " }, "capture_ref: missing"},
		{"no biometric reference", func(f *BiometricForwarded) { f.BiometricRef = "" }, "biometric_ref: missing"},
		{"space in the reference", func(f *BiometricForwarded) { f.BiometricRef = "BIO 1" }, "biometric_ref:"},
		{"control character", func(f *BiometricForwarded) { f.CaptureRef = "cap\x001" }, "capture_ref:"},
		{"128 bytes is enough", func(f *BiometricForwarded) { f.BiometricRef = strings.Repeat("B", 128) }, ""},
		{"129 bytes is not", func(f *BiometricForwarded) { f.BiometricRef = strings.Repeat("B", 129) }, "at most 128"},
		{"no capture time", func(f *BiometricForwarded) { f.CapturedAt = time.Time{} }, "captured_at: missing"},
		{"no forward time", func(f *BiometricForwarded) { f.ForwardedAt = time.Time{} }, "forwarded_at: missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			tc.mut(&f)
			err := f.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestFoldBiometricForwarded: the crossing keeps every forward with its
// reference, and the traveller whose face result named the capture gets the
// reference, whatever the order of forward, face result and purge.
func TestFoldBiometricForwarded(t *testing.T) {
	mex := DocumentRef{Type: "P", Country: "MEX", Number: "G12345678"}
	l := newLog(t, "booth-1")
	l.add("", CrossingOpened{Port: "2608", Lane: "P01", Mode: ModePedestrian, Trigger: "document"})
	face := l.add("", FaceVerified{Document: mex, Result: FaceMatch, Score: 0.88, Threshold: 0.8, CaptureRef: "cap-7", CapturedAt: t0})
	fw := l.add("", BiometricForwarded{CaptureRef: "cap-7", BiometricRef: "BIO-000007", CapturedAt: t0, ForwardedAt: t0.Add(3 * time.Second)})
	l.add("", BiometricPurged{CaptureRef: "cap-7", CapturedAt: t0, Reason: "forwarded_non_usc"})
	// A capture of a traveller whose citizenship was unknown at capture
	// time: the face result does not name it, the crossing still knows it.
	other := l.add("", BiometricForwarded{CaptureRef: "cap-8", BiometricRef: "BIO-000008", CapturedAt: t0, ForwardedAt: t0.Add(4 * time.Second)})

	skewed := func() []Event { // the forward's clock is before the face result's
		evs := append([]Event(nil), l.events...)
		for i := range evs {
			if evs[i].ID == fw.ID {
				evs[i].At = face.At.Add(-time.Hour)
			}
		}
		return evs
	}
	for name, evs := range map[string][]Event{"in order": l.events, "forward before face result": skewed()} {
		t.Run(name, func(t *testing.T) {
			c := Fold(evs)
			if len(c.Forwards) != 2 {
				t.Fatalf("forwards = %+v, want 2", c.Forwards)
			}
			refs := map[string]string{}
			for _, f := range c.Forwards {
				refs[f.EventID] = f.Value.BiometricRef
			}
			if refs[fw.ID] != "BIO-000007" || refs[other.ID] != "BIO-000008" {
				t.Fatalf("forward references by event: %v", refs)
			}
			tr := c.Traveler(mex.Key())
			if tr == nil || tr.BiometricRef != "BIO-000007" {
				t.Fatalf("traveller = %+v, want biometric ref BIO-000007", tr)
			}
			if tr.Face == nil || tr.Face.CaptureRef != "" {
				t.Fatalf("the purge did not clear the capture reference: %+v", tr.Face)
			}
			if len(c.Skipped) != 0 {
				t.Fatalf("skipped %v", c.Skipped)
			}
		})
	}
}

func TestTimelineBiometricForwarded(t *testing.T) {
	l := newLog(t, "booth-1")
	e := l.add("", BiometricForwarded{CaptureRef: "cap-7", BiometricRef: "BIO-000007", CapturedAt: t0, ForwardedAt: t0})
	te := TimelineOf(e)
	if te.Unreadable || te.Source != "biometric forward" ||
		te.Text != "Face capture forwarded to the biometric system, ref BIO-000007 (capture cap-7)" {
		t.Fatalf("timeline entry = %+v", te)
	}
}
