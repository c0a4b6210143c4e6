package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
)

// HTTPFaces is a client of the local face matcher's HTTP API (DESIGN §3).
// (hardware/facematch will offer the same; the TUI only needs these two calls.)
type HTTPFaces struct {
	base string
	http *http.Client
}

// NewHTTPFaces returns a client of the matcher at base (http://host:port).
func NewHTTPFaces(base string) *HTTPFaces {
	return &HTTPFaces{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 5 * time.Second}}
}

const maxImageBytes = 4 << 20

// Verify asks the matcher whether the live capture matches the document. An
// answer outside the contract is an error (shown as "unavailable").
func (c *HTTPFaces) Verify(ctx context.Context, lane string, doc records.DocumentRef) (FaceCheck, error) {
	body, _ := json.Marshal(map[string]any{"lane": lane, "document": map[string]string{"number": doc.Number, "country": doc.Country}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/verify", bytes.NewReader(body))
	if err != nil {
		return FaceCheck{}, fmt.Errorf("face verify: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return FaceCheck{}, fmt.Errorf("face verify: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return FaceCheck{}, fmt.Errorf("face verify: matcher answered %s", resp.Status)
	}
	var r struct {
		Result     string  `json:"result"`
		Score      float64 `json:"score"`
		Threshold  float64 `json:"threshold"`
		CaptureID  string  `json:"capture_id"`
		CapturedAt string  `json:"captured_at"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&r); err != nil {
		return FaceCheck{}, fmt.Errorf("face verify: bad answer: %w", err)
	}
	res := records.FaceResult(r.Result)
	switch res {
	case records.FaceMatch, records.FaceNoMatch, records.FaceNoFace, records.FaceNotEnrolled:
	default:
		return FaceCheck{}, fmt.Errorf("face verify: unknown result %q", r.Result)
	}
	if r.Score < 0 || r.Score > 1 || r.Threshold < 0 || r.Threshold > 1 {
		return FaceCheck{}, fmt.Errorf("face verify: score %.2f / threshold %.2f outside 0–1", r.Score, r.Threshold)
	}
	at, _ := time.Parse(time.RFC3339Nano, r.CapturedAt)
	return FaceCheck{Result: res, Score: r.Score, Threshold: r.Threshold, CaptureID: r.CaptureID, CapturedAt: at}, nil
}

// Images fetches the live capture and the photo on file.
func (c *HTTPFaces) Images(ctx context.Context, captureID string, doc records.DocumentRef) (image.Image, image.Image, error) {
	var live, onFile image.Image
	var errs []error
	if captureID != "" {
		img, err := c.png(ctx, "/v1/captures/"+url.PathEscape(captureID))
		live = img
		errs = append(errs, err)
	}
	img, err := c.png(ctx, "/v1/gallery/"+url.PathEscape(doc.Country)+"/"+url.PathEscape(doc.Number))
	onFile = img
	errs = append(errs, err)
	return live, onFile, errors.Join(errs...)
}

// png fetches one image; a 404 is no image, not an error.
func (c *HTTPFaces) png(ctx context.Context, path string) (image.Image, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("face image: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, nil
	default:
		return nil, fmt.Errorf("face image %s: %s", path, resp.Status)
	}
	img, err := png.Decode(io.LimitReader(resp.Body, maxImageBytes))
	if err != nil {
		return nil, fmt.Errorf("face image %s: %w", path, err)
	}
	return img, nil
}
