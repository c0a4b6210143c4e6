package facematch

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// testPNG encodes a w×h image.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// claimSize rewrites a PNG's IHDR to declare w×h pixels (with a valid CRC):
// a tiny file that would decode into an enormous image.
func claimSize(b []byte, w, h uint32) []byte {
	b = bytes.Clone(b)
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// imageServer serves files by escaped path and records the paths asked.
func imageServer(t *testing.T, files map[string][]byte) (*matcher, *atomic.Value) {
	var asked atomic.Value
	m := newMatcher(t, true, func(w http.ResponseWriter, r *http.Request) {
		asked.Store(r.URL.EscapedPath())
		b, ok := files[r.URL.EscapedPath()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if bytes.Equal(b, []byte("500")) {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(b)
	})
	return m, &asked
}

func TestCaptureAndGallery(t *testing.T) {
	photo := testPNG(t, 32, 40)
	m, asked := imageServer(t, map[string][]byte{
		"/v1/captures/cap-42":         photo,
		"/v1/captures/lane3:2026%3F1": photo, // never asked: '?' is refused before any request
		"/v1/captures/a:b@c":          photo,
		"/v1/gallery/UTO/L898902C3":   photo,
		"/v1/gallery/D/C01X00T47":     testPNG(t, 4, 4),
		"/v1/captures/garbage":        []byte("GIF89a not a png at all"),
		"/v1/captures/truncated":      photo[:40],
		"/v1/captures/bomb":           claimSize(photo, 100000, 100000),
		"/v1/captures/huge":           append(bytes.Clone(photo), make([]byte, 5<<20)...),
		"/v1/captures/broken":         []byte("500"),
		"/v1/gallery/UTO/NOPHOTO0":    nil, // present but empty: not a PNG
	})
	c := m.client(Options{})
	ctx := context.Background()

	got, err := c.Capture(ctx, "cap-42")
	if err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("Capture = %d bytes, %v", len(got), err)
	}
	img, err := DecodePNG(got)
	if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 40 {
		t.Fatalf("DecodePNG = %v, %v", img, err)
	}
	if _, err := c.Capture(ctx, "a:b@c"); err != nil {
		t.Errorf("Capture with reserved characters: %v (asked %v)", err, asked.Load())
	}
	if got, err := c.Gallery(ctx, records.DocumentRef{Country: "UTO", Number: "L898902C3"}); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("Gallery = %d bytes, %v", len(got), err)
	}
	if _, err := c.Gallery(ctx, records.DocumentRef{Country: "D", Number: "C01X00T47"}); err != nil {
		t.Errorf("Gallery D: %v", err)
	}

	failures := []struct {
		name string
		call func() error
		want error
		text string
	}{
		{"unknown capture", func() error { _, err := c.Capture(ctx, "purged"); return err }, ErrNotFound, "capture purged"},
		{"no photo on file", func() error {
			_, err := c.Gallery(ctx, records.DocumentRef{Country: "UTO", Number: "X0000000"})
			return err
		}, ErrNotFound, "gallery UTO/X0000000"},
		{"not a png", func() error { _, err := c.Capture(ctx, "garbage"); return err }, ErrNotPNG, ""},
		{"truncated png", func() error { _, err := c.Capture(ctx, "truncated"); return err }, ErrNotPNG, ""},
		{"decompression bomb", func() error { _, err := c.Capture(ctx, "bomb"); return err }, ErrTooLarge, "100000×100000"},
		{"huge body", func() error { _, err := c.Capture(ctx, "huge"); return err }, ErrTooLarge, ""},
		{"empty body", func() error {
			_, err := c.Gallery(ctx, records.DocumentRef{Country: "UTO", Number: "NOPHOTO0"})
			return err
		}, ErrNotPNG, ""},
		{"server error", func() error { _, err := c.Capture(ctx, "broken"); return err }, nil, "HTTP 500"},
		{"dot segment", func() error { _, err := c.Capture(ctx, ".."); return err }, ErrBadRequest, ""},
		{"slash", func() error { _, err := c.Capture(ctx, "a/../../v1/verify"); return err }, ErrBadRequest, ""},
		{"query", func() error { _, err := c.Capture(ctx, "lane3:2026?1"); return err }, ErrBadRequest, ""},
		{"empty id", func() error { _, err := c.Capture(ctx, ""); return err }, ErrBadRequest, ""},
		{"no document", func() error { _, err := c.Gallery(ctx, records.DocumentRef{}); return err }, ErrBadRequest, "country"},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			err := f.call()
			if err == nil {
				t.Fatal("no error")
			}
			if f.want != nil && !errors.Is(err, f.want) {
				t.Errorf("error %v is not %v", err, f.want)
			}
			if !strings.Contains(err.Error(), f.text) {
				t.Errorf("error %q does not mention %q", err, f.text)
			}
		})
	}
}

func TestImageTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	m := newMatcher(t, false, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	_, err := m.client(Options{ImageTimeout: 100 * time.Millisecond}).Capture(context.Background(), "cap-1")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodePNGRejects(t *testing.T) {
	photo := testPNG(t, 8, 8)
	for name, b := range map[string][]byte{
		"empty": nil, "text": []byte("hello"), "bomb": claimSize(photo, 1<<20, 1<<20),
		"zero size": claimSize(photo, 0, 8), "truncated": photo[:len(photo)-20],
	} {
		if _, err := DecodePNG(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
