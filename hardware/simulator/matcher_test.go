package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
)

func postVerify(t *testing.T, base, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(base+"/v1/verify", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	return resp.StatusCode, out
}

func getPNG(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestMatcherOverHTTP(t *testing.T) {
	s := startSim(t, Options{Quiet: true})
	base := s.Paths().Matcher
	imp, _ := Builtin("imposter")
	if err := s.Play(context.Background(), imp); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body, result string
		score              float64
	}{
		{"imposter scenario", `{"lane":"L1","document":{"number":"G30917256","country":"MEX"}}`, "no_match", 0.31},
		{"enrolled default", `{"lane":"L1","document":{"number":"561234567","country":"usa"}}`, "match", -1},
		{"rfid document", `{"lane":"L1","document":{"number":"900123456","country":"USA"}}`, "match", -1},
		{"unknown", `{"lane":"L1","document":{"number":"X1","country":"ZZZ"}}`, "not_enrolled", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := postVerify(t, base, tt.body)
			if code != http.StatusOK || out["result"] != tt.result || out["threshold"] != 0.8 {
				t.Fatalf("got %d %v", code, out)
			}
			score := out["score"].(float64)
			if tt.score >= 0 && score != tt.score || tt.score < 0 && (score < 0.8 || score > 1) {
				t.Errorf("score %v", score)
			}
			if out["capture_id"] == "" || out["captured_at"] == "" {
				t.Errorf("no capture: %v", out)
			}
			code, img := getPNG(t, base+"/v1/captures/"+out["capture_id"].(string))
			if code != http.StatusOK {
				t.Fatalf("capture: %d", code)
			}
			if _, err := png.Decode(bytes.NewReader(img)); err != nil {
				t.Errorf("capture is not a PNG: %v", err)
			}
		})
	}

	// The gallery photo is the same person every time; the imposter's live
	// capture is somebody else's face, the genuine traveler's is not.
	_, g1 := getPNG(t, base+"/v1/gallery/MEX/G30917256")
	_, g2 := getPNG(t, base+"/v1/gallery/MEX/G30917256")
	if len(g1) == 0 || !bytes.Equal(g1, g2) {
		t.Error("gallery photo not deterministic")
	}
	if lookFor(seedOf("T0004")) == lookFor(seedOf("T0004")^imposterSeedXor) {
		t.Error("imposter looks exactly like the traveler")
	}
	if code, _ := getPNG(t, base+"/v1/gallery/ZZZ/NOPE"); code != http.StatusNotFound {
		t.Errorf("gallery of unknown document: %d, want 404", code)
	}
	if code, _ := getPNG(t, base+"/v1/captures/nope"); code != http.StatusNotFound {
		t.Errorf("unknown capture: %d, want 404", code)
	}
}

func TestMatcherBadRequests(t *testing.T) {
	s := startSim(t, Options{Quiet: true})
	base := s.Paths().Matcher
	for _, body := range []string{``, `{`, `[]`, `{"lane":"L1"}`, `{"document":{"number":"","country":"USA"}}`, `{"document":"x"}`} {
		code, out := postVerify(t, base, body)
		if code != http.StatusBadRequest || out["error"] == nil {
			t.Errorf("body %q: %d %v, want 400 with error", body, code, out)
		}
	}
	big := `{"lane":"` + strings.Repeat("x", 100<<10) + `"}`
	if code, _ := postVerify(t, base, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("huge body: %d", code)
	}
	resp, err := http.Get(base + "/v1/verify")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /v1/verify: %d, want 405", resp.StatusCode)
	}
}

// A face is drawn at the advertised size, with skin, eyes and background all
// present (something a half-block renderer can show).
func TestFaceImage(t *testing.T) {
	img := drawFace(seedOf("T0001"), false)
	if b := img.Bounds(); b.Dx() != faceW || b.Dy() != faceH {
		t.Fatalf("size %v", b)
	}
	l := lookFor(seedOf("T0001"))
	if cheek := img.RGBAAt(faceW/2-8, 32); cheek != l.skin {
		t.Errorf("cheek is %v, not skin %v", cheek, l.skin)
	}
	if img.RGBAAt(1, 1) != (drawFace(seedOf("T0002"), false)).RGBAAt(1, 1) {
		t.Error("passport photos should share the plain background")
	}
}
