package facematch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"

	"github.com/portofentry/booth/records"
)

// maxPixels bounds an image's declared size, so a small PNG that claims to
// be enormous cannot make the booth allocate gigabytes when decoded.
const maxPixels = 4096 * 4096

// maxIDLen bounds capture ids and document path parts.
const maxIDLen = 128

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// Capture fetches the live capture id (GET /v1/captures/{id}) and returns the
// PNG bytes after checking they decode as a PNG of sane size. A purged or unknown
// capture is ErrNotFound.
func (c *Client) Capture(ctx context.Context, id string) ([]byte, error) {
	if err := checkID(id); err != nil {
		return nil, fmt.Errorf("%w: capture id: %v", ErrBadRequest, err)
	}
	b, err := c.fetchPNG(ctx, "v1", "captures", url.PathEscape(id))
	if err != nil {
		return nil, fmt.Errorf("facematch: capture %s: %w", id, err)
	}
	return b, nil
}

// Gallery fetches the photo on file for doc (GET
// /v1/gallery/{country}/{number}) and returns the PNG bytes, checked as
// Capture does. A
// document without a photo is ErrNotFound.
func (c *Client) Gallery(ctx context.Context, doc records.DocumentRef) ([]byte, error) {
	for _, part := range []struct{ name, v string }{{"country", doc.Country}, {"number", doc.Number}} {
		if err := checkID(part.v); err != nil {
			return nil, fmt.Errorf("%w: document %s: %v", ErrBadRequest, part.name, err)
		}
	}
	b, err := c.fetchPNG(ctx, "v1", "gallery", url.PathEscape(doc.Country), url.PathEscape(doc.Number))
	if err != nil {
		return nil, fmt.Errorf("facematch: gallery %s: %w", doc.Key(), err)
	}
	return b, nil
}

// DecodePNG decodes bytes returned by Capture or Gallery, refusing images
// whose declared size exceeds 4096×4096 pixels.
func DecodePNG(b []byte) (image.Image, error) {
	if err := checkPNG(b); err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotPNG, err)
	}
	return img, nil
}

func (c *Client) fetchPNG(ctx context.Context, escaped ...string) ([]byte, error) {
	u, err := c.endpoint(escaped...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.ImageTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "image/png")
	b, err := c.do(req, c.opts.MaxImageBytes)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("no answer within %s: %w", c.opts.ImageTimeout, err)
		}
		return nil, err
	}
	// A full decode, not just the header: a truncated transfer still has a
	// valid header and would only fail later, on the officer's screen.
	if _, err := DecodePNG(b); err != nil {
		return nil, err
	}
	return b, nil
}

// checkPNG validates the signature and header of a PNG and its declared size.
func checkPNG(b []byte) error {
	if !bytes.HasPrefix(b, pngSignature) {
		return ErrNotPNG
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotPNG, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return fmt.Errorf("%w: %d×%d pixels, limit %d", ErrTooLarge, cfg.Width, cfg.Height, maxPixels)
	}
	return nil
}

// checkID accepts the identifiers that go into a URL path: 1-128 printable
// ASCII characters other than '/', '\\', '?', '#' and '%', and not a dot
// segment.
func checkID(s string) error {
	if s == "" || len(s) > maxIDLen {
		return fmt.Errorf("want 1-%d characters, got %d", maxIDLen, len(s))
	}
	if s == "." || s == ".." {
		return fmt.Errorf("%q is not an identifier", s)
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c > '~' || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%' {
			return fmt.Errorf("character %q not allowed", c)
		}
	}
	return nil
}
