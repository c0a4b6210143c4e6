package facematch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/portofentry/booth/records"
)

// Verification is the matcher's verdict on one document at one lane.
type Verification struct {
	Result     records.FaceResult
	Score      float64 // similarity in [0,1]; 0 when the matcher gave none
	Threshold  float64 // the matcher's decision threshold in [0,1]
	CaptureID  string  // the live capture, for Capture; may be empty
	CapturedAt time.Time
	// Detail says why the result is unavailable; empty otherwise.
	Detail string
}

// unavailablePrefix starts every unavailable Detail, so the screen reads
// the same whatever the cause.
const unavailablePrefix = "face matcher unavailable — verify manually: "

type verifyRequest struct {
	Lane     string      `json:"lane"`
	Document verifyDocID `json:"document"`
}

type verifyDocID struct {
	Number  string `json:"number"`
	Country string `json:"country"`
}

type verifyResponse struct {
	Result     *string  `json:"result"`
	Score      *float64 `json:"score"`
	Threshold  *float64 `json:"threshold"`
	CaptureID  string   `json:"capture_id"`
	CapturedAt string   `json:"captured_at"`
}

// Verify asks the matcher whether the live capture at lane matches doc. It
// returns within the budget (Options.Budget, or ctx's deadline if sooner)
// and never fails: anything but a sensible answer is FaceUnavailable with a
// Detail saying why.
func (c *Client) Verify(ctx context.Context, lane string, doc records.DocumentRef) Verification {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Budget)
	defer cancel()
	v, err := c.verify(ctx, lane, doc)
	if err != nil {
		why := describe(err, c.opts.Budget)
		c.log.Warn("face verification unavailable", "lane", lane, "document", doc.Key(), "reason", why)
		return Verification{Result: records.FaceUnavailable, Detail: unavailablePrefix + why}
	}
	return v
}

func (c *Client) verify(ctx context.Context, lane string, doc records.DocumentRef) (Verification, error) {
	switch {
	case lane == "":
		return Verification{}, errors.New("no lane given")
	case doc.Number == "" || doc.Country == "":
		return Verification{}, errors.New("no document number and country to verify against")
	}
	u, err := c.endpoint("v1", "verify")
	if err != nil {
		return Verification{}, err
	}
	body, err := json.Marshal(verifyRequest{Lane: lane, Document: verifyDocID{Number: doc.Number, Country: doc.Country}})
	if err != nil {
		return Verification{}, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return Verification{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	answer, err := c.do(req, maxVerifyBody)
	if err != nil {
		return Verification{}, err
	}
	return parseVerifyResponse(answer, time.Now(), c.opts.MaxCaptureAge)
}

// parseVerifyResponse validates the matcher's answer. It rejects what an
// officer must not be shown: an unknown verdict, a score or threshold
// outside [0,1], a verdict that contradicts its own score and threshold, and
// a capture older than maxAge (it may be the previous traveller's).
func parseVerifyResponse(body []byte, now time.Time, maxAge time.Duration) (Verification, error) {
	var r verifyResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return Verification{}, fmt.Errorf("unreadable answer: %w", err)
	}
	if r.Result == nil {
		return Verification{}, errors.New("answer has no result")
	}
	v := Verification{Result: records.FaceResult(*r.Result)}
	scored := false
	switch v.Result {
	case records.FaceMatch, records.FaceNoMatch:
		scored = true
	case records.FaceNoFace, records.FaceNotEnrolled:
	default:
		return Verification{}, fmt.Errorf("unknown result %q", truncate(*r.Result, 40))
	}
	if scored && (r.Score == nil || r.Threshold == nil) {
		return Verification{}, fmt.Errorf("%s without score and threshold", v.Result)
	}
	for _, f := range []struct {
		name string
		v    *float64
		dst  *float64
	}{{"score", r.Score, &v.Score}, {"threshold", r.Threshold, &v.Threshold}} {
		if f.v == nil {
			continue
		}
		if math.IsNaN(*f.v) || *f.v < 0 || *f.v > 1 {
			return Verification{}, fmt.Errorf("%s %g outside 0-1", f.name, *f.v)
		}
		*f.dst = *f.v
	}
	if scored {
		if v.Result == records.FaceMatch && v.Score < v.Threshold {
			return Verification{}, fmt.Errorf("match with score %.3f below threshold %.3f", v.Score, v.Threshold)
		}
		if v.Result == records.FaceNoMatch && v.Score >= v.Threshold {
			return Verification{}, fmt.Errorf("no_match with score %.3f at or above threshold %.3f", v.Score, v.Threshold)
		}
	}
	if r.CaptureID != "" {
		if err := checkID(r.CaptureID); err != nil {
			return Verification{}, fmt.Errorf("capture_id: %w", err)
		}
		v.CaptureID = r.CaptureID
	}
	if r.CapturedAt != "" {
		at, err := time.Parse(time.RFC3339Nano, r.CapturedAt)
		if err != nil {
			return Verification{}, fmt.Errorf("captured_at %q is not an RFC 3339 time", truncate(r.CapturedAt, 40))
		}
		if age := now.Sub(at); age > maxAge || age < -maxAge {
			return Verification{}, fmt.Errorf("capture taken %s, %s from now (limit %s): it may not be this traveller",
				at.UTC().Format(time.RFC3339), age.Round(time.Second), maxAge)
		}
		v.CapturedAt = at.UTC()
	}
	return v, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
