package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Matcher wire constants (docs/design.md §3.6).
const (
	matchThreshold  = 0.80
	maxVerifyBody   = 64 << 10
	maxCaptures     = 256 // live captures kept for GET /v1/captures/{id}
	defaultMatch    = 0.91
	defaultNoMatch  = 0.31
	imposterSeedXor = 0x1badface5eed
)

// VerifyRequest is the body of POST /v1/verify.
type VerifyRequest struct {
	Lane     string `json:"lane"`
	Document struct {
		Number  string `json:"number"`
		Country string `json:"country"`
	} `json:"document"`
}

// VerifyResponse is the matcher's answer.
type VerifyResponse struct {
	Result     string  `json:"result"`
	Score      float64 `json:"score"`
	Threshold  float64 `json:"threshold"`
	CaptureID  string  `json:"capture_id"`
	CapturedAt string  `json:"captured_at"`
}

type capture struct {
	seed   uint64
	noFace bool
}

// matcher is the simulated face matcher. Its verdict for a document comes
// from the scenario last played (FaceStep), otherwise a match for documents
// in the gallery (the fixtures) and not_enrolled for the rest.
type matcher struct {
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	outcomes map[string]FaceStep
	captures map[string]capture
	order    []string // capture ids, oldest first, at most maxCaptures
	seq      int
}

func newMatcher(log *slog.Logger, now func() time.Time) *matcher {
	return &matcher{
		log:      log.With("device", "matcher"),
		now:      now,
		outcomes: map[string]FaceStep{},
		captures: map[string]capture{},
	}
}

func docKey(country, number string) string {
	return strings.ToUpper(strings.TrimSpace(country)) + "/" + strings.ToUpper(strings.TrimSpace(number))
}

// reset forgets the previous scenario's verdicts.
func (m *matcher) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.outcomes)
}

func (m *matcher) setOutcome(f FaceStep) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outcomes[docKey(f.Country, f.Number)] = f
}

func (m *matcher) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/verify", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		m.verify(w, r)
	})
	mux.HandleFunc("GET /v1/captures/{id}", m.captureImage)
	mux.HandleFunc("GET /v1/gallery/{country}/{number}", m.galleryImage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	return mux
}

func (m *matcher) verify(w http.ResponseWriter, r *http.Request) {
	var req VerifyRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxVerifyBody))
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body over 64 KB")
			return
		}
		writeError(w, http.StatusBadRequest, "body is not a verify request: "+err.Error())
		return
	}
	if strings.TrimSpace(req.Document.Number) == "" || strings.TrimSpace(req.Document.Country) == "" {
		writeError(w, http.StatusBadRequest, "document.number and document.country are required")
		return
	}
	resp := m.decide(req)
	m.log.Info("face verify", "lane", req.Lane, "document", docKey(req.Document.Country, req.Document.Number),
		"result", resp.Result, "score", resp.Score)
	writeJSON(w, http.StatusOK, resp)
}

// decide picks the verdict and records the live capture it came from.
func (m *matcher) decide(req VerifyRequest) VerifyResponse {
	key := docKey(req.Document.Country, req.Document.Number)
	t, enrolled := fixtures.byDoc[key]
	person := seedOf(key)
	if enrolled {
		person = seedOf(t.ID)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	out, set := m.outcomes[key]
	if !set {
		out = FaceStep{Result: "not_enrolled"}
		if enrolled {
			// Genuine matches score 0.86-0.97, fixed per person.
			out = FaceStep{Result: "match", Score: 0.86 + float64(person%12)/100}
		}
	}
	if out.Score == 0 {
		switch out.Result {
		case "match":
			out.Score = defaultMatch
		case "no_match":
			out.Score = defaultNoMatch
		}
	}
	c := capture{seed: person}
	switch out.Result {
	case "no_match":
		c.seed ^= imposterSeedXor // someone else stands at the camera
	case "no_face":
		c.noFace = true
	}
	now := m.now()
	m.seq++
	id := fmt.Sprintf("cap-%d-%06d", now.Unix(), m.seq)
	m.captures[id] = c
	m.order = append(m.order, id)
	if len(m.order) > maxCaptures {
		delete(m.captures, m.order[0])
		m.order = m.order[1:]
	}
	return VerifyResponse{
		Result:     out.Result,
		Score:      out.Score,
		Threshold:  matchThreshold,
		CaptureID:  id,
		CapturedAt: now.UTC().Format(time.RFC3339Nano),
	}
}

func (m *matcher) captureImage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	m.mu.Lock()
	c, ok := m.captures[id]
	m.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no capture %q", id))
		return
	}
	img := drawNoFace()
	if !c.noFace {
		img = drawFace(c.seed, true)
	}
	writePNG(w, img)
}

func (m *matcher) galleryImage(w http.ResponseWriter, r *http.Request) {
	key := docKey(r.PathValue("country"), r.PathValue("number"))
	t, ok := fixtures.byDoc[key]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("document %s is not in the gallery", key))
		return
	}
	writePNG(w, drawFace(seedOf(t.ID), false))
}

func writePNG(w http.ResponseWriter, img *image.RGBA) {
	b, err := encodePNG(img)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
