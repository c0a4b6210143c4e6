package replication

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portofentry/booth/records"
)

// National history at the booth (docs/national.md): a booth shows its local
// history from its own replica at once and asks its port server, separately
// and without waiting, for other ports' crossings. The port server asks the
// hub over its embedded leaf node with a short timeout; no hub, a cut link or
// a slow hub is an answer ("unavailable"), never a wait.
const (
	// PathNationalHistory answers GET ?country=&doc= | ?name=&dob= |
	// ?plate=&region= with a NationalHistoryResponse. Any workstation role.
	PathNationalHistory = "/v1/history/national"

	// CodeNationalUnconfigured (503): this port server has no hub (--hub).
	CodeNationalUnconfigured = "national_unconfigured"
	// CodeNationalUnavailable (504): the hub did not answer in time or its
	// link is down.
	CodeNationalUnavailable = "national_unavailable"

	// NationalTimeout bounds the port server's request to the hub, so the
	// booth hears "unavailable" within the 300 ms history budget.
	NationalTimeout = 250 * time.Millisecond
)

// Errors a NationalHistorian returns (wrapped) and Client.NationalHistory
// reports, so a booth can word them without parsing messages.
var (
	ErrNationalUnconfigured = errors.New("national history not configured")
	ErrNationalUnavailable  = errors.New("national history unavailable")
)

// NationalQuery is one national history look-up: exactly one of a document
// (Country and Number), a surname and birth date, or a plate (Region is
// informational: the national index keys plates by plate alone).
type NationalQuery struct {
	Country, Number    string
	Surname, BirthDate string
	Plate, Region      string
}

// Valid reports whether q names exactly one kind of key.
func (q NationalQuery) Valid() bool {
	n := 0
	if q.Country != "" && q.Number != "" {
		n++
	}
	if q.Surname != "" && q.BirthDate != "" {
		n++
	}
	if q.Plate != "" {
		n++
	}
	return n == 1
}

// Subject is the look-up as audited: "document:UTO/L898902C3",
// "name:ERIKSSON/1974-08-12", "plate:US-AZ/ABC123".
func (q NationalQuery) Subject() string {
	switch {
	case q.Number != "":
		return "document:" + q.Country + "/" + q.Number
	case q.Surname != "":
		return "name:" + q.Surname + "/" + q.BirthDate
	}
	return "plate:" + q.Region + "/" + q.Plate
}

func (q NationalQuery) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("country", q.Country)
	set("doc", q.Number)
	set("name", q.Surname)
	set("dob", q.BirthDate)
	set("plate", q.Plate)
	set("region", q.Region)
	return v
}

// maxNationalTerm bounds each query term (a document number, surname or
// plate is far shorter).
const maxNationalTerm = 64

// ParseNationalQuery reads a national history query string.
func ParseNationalQuery(v url.Values) (NationalQuery, error) {
	q := NationalQuery{Country: v.Get("country"), Number: v.Get("doc"), Surname: v.Get("name"),
		BirthDate: v.Get("dob"), Plate: v.Get("plate"), Region: v.Get("region")}
	for k, s := range map[string]string{"country": q.Country, "doc": q.Number, "name": q.Surname,
		"dob": q.BirthDate, "plate": q.Plate, "region": q.Region} {
		if len(s) > maxNationalTerm || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return q, fmt.Errorf("%s: at most %d printable characters", k, maxNationalTerm)
		}
	}
	if q.BirthDate != "" {
		if _, err := time.Parse(time.DateOnly, q.BirthDate); err != nil {
			return q, fmt.Errorf("dob %q: want YYYY-MM-DD", q.BirthDate)
		}
	}
	if !q.Valid() {
		return q, errors.New("give exactly one of country and doc, name and dob, or plate")
	}
	// Keep only the key asked by, so the hub and the audit see one.
	switch {
	case q.Country != "" && q.Number != "":
		return NationalQuery{Country: q.Country, Number: q.Number}, nil
	case q.Surname != "" && q.BirthDate != "":
		return NationalQuery{Surname: q.Surname, BirthDate: q.BirthDate}, nil
	}
	return NationalQuery{Plate: q.Plate, Region: q.Region}, nil
}

// NationalCrossing is one other port's crossing in a national answer.
type NationalCrossing struct {
	Port       string    `json:"port"`
	Lane       string    `json:"lane"`
	CrossingID string    `json:"crossing_id"`
	OpenedAt   time.Time `json:"opened_at,omitzero"` // zero when the hub did not index the opening
	Outcome    string    `json:"outcome"`
}

// NationalHistoryResponse is the 200 answer to GET /v1/history/national:
// other ports' crossings (never the asking port's own), newest first.
type NationalHistoryResponse struct {
	Crossings []NationalCrossing `json:"crossings"`
	// Node is the hub node that answered.
	Node string `json:"node,omitempty"`
}

// NationalHistorian asks the hub for other ports' crossings. It must return
// within ctx (the server gives it NationalTimeout) and wrap
// ErrNationalUnavailable when the hub cannot answer.
type NationalHistorian interface {
	NationalHistory(ctx context.Context, q NationalQuery) (NationalHistoryResponse, error)
}

// SetNational gives the server its way to the hub (the port server sets it
// once its leaf node runs). Until then, or with nil, national history
// answers "not configured" at once.
func (s *Server) SetNational(n NationalHistorian) {
	if n == nil {
		s.national.Store(nil)
		return
	}
	s.national.Store(&n)
}

// auditor is a server store that keeps the port server's own audit chain.
type auditor interface {
	Audit(ctx context.Context, e records.AuditEntry) error
}

// handleNationalHistory answers a booth's national history look-up from the
// hub. Like the audit-log read, each look-up is audited in the server's own
// chain (a search with its terms, the workstation and the officer) before
// the answer leaves: an unaudited search is never served.
func (s *Server) handleNationalHistory(w http.ResponseWriter, r *http.Request, id identity) {
	q, err := ParseNationalQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: err.Error()})
		return
	}
	officer := strings.TrimSpace(r.Header.Get(HeaderOfficer))
	if len(officer) > 32 || strings.ContainsFunc(officer, func(r rune) bool { return r <= 0x20 || r == 0x7f }) {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: "bad officer badge in " + HeaderOfficer})
		return
	}
	p := s.national.Load()
	if p == nil {
		writeError(w, http.StatusServiceUnavailable, ErrorResponse{Error: CodeNationalUnconfigured,
			Message: "this port server has no hub (portserver serve --hub)"})
		return
	}
	audit, ok := s.cfg.Store.(auditor)
	if !ok {
		writeError(w, http.StatusNotFound, ErrorResponse{Error: CodeNotFound, Message: "this server keeps no audit chain"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), NationalTimeout)
	resp, herr := (*p).NationalHistory(ctx, q)
	cancel()
	results := len(resp.Crossings)
	if herr != nil {
		results = -1 // asked, no answer
	}
	detail, _ := json.Marshal(map[string]any{"screen": "national", "workstation": id.workstation, "results": results})
	if err := audit.Audit(r.Context(), records.AuditEntry{Officer: officer, Action: records.AuditActionSearch,
		Subject: "national " + q.Subject(), Detail: detail}); err != nil {
		s.internal(w, "auditing the national history look-up failed", err)
		return
	}
	if herr != nil {
		s.log.Warn("national history unavailable", "workstation", id.workstation, "err", herr)
		writeError(w, http.StatusGatewayTimeout, ErrorResponse{Error: CodeNationalUnavailable, Message: herr.Error()})
		return
	}
	if resp.Crossings == nil {
		resp.Crossings = []NationalCrossing{}
	}
	writeJSON(w, http.StatusOK, resp)
}

// NationalHistory asks the port server for other ports' crossings, in the
// name of the officer signed in (audited at the server; "" for the system).
// A server without a hub is ErrNationalUnconfigured, a hub that did not
// answer ErrNationalUnavailable (both wrapped with the server's message).
func (c *Client) NationalHistory(ctx context.Context, q NationalQuery, officer string) (NationalHistoryResponse, error) {
	var resp NationalHistoryResponse
	req, err := c.newRequest(ctx, http.MethodGet, PathNationalHistory, q.values(), nil)
	if err != nil {
		return resp, err
	}
	if officer != "" {
		req.Header.Set(HeaderOfficer, officer)
	}
	hr, err := c.http.Do(req)
	if err != nil {
		return resp, fmt.Errorf("%w: %v", ErrNationalUnavailable, err)
	}
	defer hr.Body.Close()
	if err := checkStatus(hr); err != nil {
		var se *StatusError
		if errors.As(err, &se) {
			switch se.Body.Error {
			case CodeNationalUnconfigured:
				return resp, fmt.Errorf("%w: %s", ErrNationalUnconfigured, se.Body.Message)
			case CodeNationalUnavailable:
				return resp, fmt.Errorf("%w: %s", ErrNationalUnavailable, se.Body.Message)
			}
			if se.Status == http.StatusNotFound {
				// An older port server, or one that keeps no audit chain.
				return resp, fmt.Errorf("%w: the port server does not serve it (%s)", ErrNationalUnconfigured, se.Body.Message)
			}
		}
		return resp, err
	}
	if err := json.NewDecoder(io.LimitReader(hr.Body, 4<<20)).Decode(&resp); err != nil {
		return resp, fmt.Errorf("GET %s: read answer: %w", PathNationalHistory, err)
	}
	return resp, nil
}
