package replication

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
)

// The lane journal, the workstation heartbeat and the audit-log read
// endpoint (docs/replication.md, "Lane journal, heartbeat and the
// supervisor's reads"). Booths send their journal up like the audit chain
// (next seq only, acknowledged after the server's durable commit) and a
// heartbeat every few seconds; supervisor consoles read the journal feed,
// the port status and the audit log. Only supervisor certificates may read
// them: they are the supervisor's dashboard, not a booth's business.

// Paths of the journal, heartbeat and supervisor reads.
const (
	PathJournal    = "/v1/journal"     // POST the caller's journal entries; GET ?after=V&limit=N (supervisors)
	PathHeartbeat  = "/v1/heartbeat"   // POST the caller's heartbeat
	PathPortStatus = "/v1/port-status" // GET heartbeats and workstation status (supervisors)
	PathAuditLog   = "/v1/audit-log"   // GET ?officer=&action=&origin=&since=&until=&limit= (supervisors)
	// HeaderOfficer names the officer signed in at the console for the
	// server's audit entry of an audit-log read.
	HeaderOfficer = "X-Booth-Officer"
)

// maxHeartbeatBody bounds a heartbeat POST.
const maxHeartbeatBody = 64 << 10

// JournalRequest is the body of POST /v1/journal: entries of the caller's
// own journal, in seq order.
type JournalRequest struct {
	Entries []records.JournalEntry `json:"entries"`
}

// JournalResponse is the 200 answer: the server holds the caller's
// journal up to Acked.
type JournalResponse struct {
	Acked int64 `json:"acked"`
}

// JournalFeedResponse is the 200 answer to GET /v1/journal: entries of
// every workstation after the version asked for, in version order (each
// with its Version), the version reached, the head and whether more wait.
type JournalFeedResponse struct {
	Entries []records.JournalEntry `json:"entries"`
	Version int64                  `json:"version"`
	Head    int64                  `json:"head"`
	More    bool                   `json:"more"`
}

// AuditLogResponse is the 200 answer to GET /v1/audit-log: the entries of
// every workstation's chain the server holds that match, newest first.
type AuditLogResponse struct {
	Entries []records.AuditEntry `json:"entries"`
}

// JournalServerStore is a server store that keeps the lane journal, the
// heartbeats and answers audit-log queries. A ServerStore without these
// methods answers 404 on these paths.
type JournalServerStore interface {
	IngestJournal(ctx context.Context, origin string, entries []records.JournalEntry) (acked int64, err error)
	JournalFeed(ctx context.Context, after int64, limit int) ([]records.JournalEntry, int64, error)
	RecordHeartbeat(ctx context.Context, hb records.Heartbeat) error
	PortStatus(ctx context.Context) (records.PortStatus, error)
	QueryAudit(ctx context.Context, q records.AuditQuery) ([]records.AuditEntry, error)
	// Audit appends to the server's own audit chain (a read of the audit
	// log is audited there).
	Audit(ctx context.Context, e records.AuditEntry) error
}

func (s *Server) journalStore(w http.ResponseWriter) (JournalServerStore, bool) {
	j, ok := s.cfg.Store.(JournalServerStore)
	if !ok {
		writeError(w, http.StatusNotFound, ErrorResponse{Error: CodeNotFound, Message: "this server keeps no lane journal"})
	}
	return j, ok
}

// registerSupervisor adds the journal, heartbeat and supervisor read routes.
func (s *Server) registerSupervisor(mux *http.ServeMux) {
	mux.Handle("POST "+PathJournal, s.authed(s.handleJournalUp))
	mux.Handle("GET "+PathJournal, s.authed(s.supervisorOnly(s.handleJournalFeed)))
	mux.Handle("POST "+PathHeartbeat, s.authed(s.handleHeartbeat))
	mux.Handle("GET "+PathPortStatus, s.authed(s.supervisorOnly(s.handlePortStatus)))
	mux.Handle("GET "+PathAuditLog, s.authed(s.supervisorOnly(s.handleAuditLog)))
}

// supervisorOnly refuses every certificate but a supervisor console's.
func (s *Server) supervisorOnly(h func(http.ResponseWriter, *http.Request, identity)) func(http.ResponseWriter, *http.Request, identity) {
	return func(w http.ResponseWriter, r *http.Request, id identity) {
		if id.role != RoleSupervisor {
			writeError(w, http.StatusForbidden, ErrorResponse{Error: CodeForbidden,
				Message: fmt.Sprintf("%s is a %s workstation: only supervisor consoles read this", id.workstation, id.role)})
			return
		}
		h(w, r, id)
	}
}

func (s *Server) handleJournalUp(w http.ResponseWriter, r *http.Request, id identity) {
	j, ok := s.journalStore(w)
	if !ok {
		return
	}
	var req JournalRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBatchBytes)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: "journal batch is not valid JSON: " + err.Error()})
		return
	}
	if len(req.Entries) > MaxBatchEvents {
		writeError(w, http.StatusRequestEntityTooLarge, ErrorResponse{Error: CodeTooLarge,
			Message: fmt.Sprintf("journal batch of %d entries, at most %d", len(req.Entries), MaxBatchEvents)})
		return
	}
	acked, err := j.IngestJournal(r.Context(), id.workstation, req.Entries)
	var gap *records.GapError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, JournalResponse{Acked: acked})
	case errors.As(err, &gap):
		writeError(w, http.StatusConflict, ErrorResponse{Error: CodeGap, Message: err.Error(), Acked: &acked, Expected: gap.Expected})
	case errors.Is(err, records.ErrForeignOrigin):
		writeError(w, http.StatusForbidden, ErrorResponse{Error: CodeForeignOrigin, Message: err.Error(), Acked: &acked})
	case errors.Is(err, records.ErrSequenceConflict):
		s.log.Error("journal refused: sequence conflict", "workstation", id.workstation, "err", err)
		writeError(w, http.StatusConflict, ErrorResponse{Error: CodeSequenceConflict, Message: err.Error(), Acked: &acked})
	case errors.Is(err, records.ErrInvalidJournal):
		s.log.Warn("journal refused: invalid entry", "workstation", id.workstation, "err", err)
		writeError(w, http.StatusUnprocessableEntity, ErrorResponse{Error: CodeInvalidEvent, Message: err.Error(), Acked: &acked})
	default:
		if !diskFull(err) {
			s.log.Error("journal batch failed", "workstation", id.workstation, "err", err)
		}
		writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: "the server could not store the journal entries; retry"})
	}
}

func (s *Server) handleJournalFeed(w http.ResponseWriter, r *http.Request, _ identity) {
	j, ok := s.journalStore(w)
	if !ok {
		return
	}
	q := r.URL.Query()
	after, err := strconv.ParseInt(q.Get("after"), 10, 64)
	if err != nil || after < 0 {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: fmt.Sprintf("after=%q: want a version >= 0", q.Get("after"))})
		return
	}
	limit := defaultFeedLimit
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit <= 0 || limit > MaxFeedLimit {
			writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: fmt.Sprintf("limit=%q: want 1 to %d", v, MaxFeedLimit)})
			return
		}
	}
	entries, head, err := j.JournalFeed(r.Context(), after, limit)
	if err != nil {
		s.internal(w, "journal feed failed", err)
		return
	}
	resp := JournalFeedResponse{Entries: entries, Version: after, Head: head}
	if resp.Entries == nil {
		resp.Entries = []records.JournalEntry{}
	}
	if n := len(entries); n > 0 {
		resp.Version = entries[n-1].Version
	}
	resp.More = head > resp.Version
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleHeartbeat(w http.ResponseWriter, r *http.Request, id identity) {
	j, ok := s.journalStore(w)
	if !ok {
		return
	}
	var hb records.Heartbeat
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxHeartbeatBody)).Decode(&hb); err != nil {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: "heartbeat is not valid JSON: " + err.Error()})
		return
	}
	// Who sent it comes from the certificate, when from the server's clock.
	hb.Workstation, hb.Role, hb.ReceivedAt = id.workstation, id.role, time.Now().UTC()
	if err := j.RecordHeartbeat(r.Context(), hb); err != nil {
		if !diskFull(err) {
			s.log.Error("recording a heartbeat failed", "workstation", id.workstation, "err", err)
		}
		writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: "the server could not record the heartbeat"})
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Server) handlePortStatus(w http.ResponseWriter, r *http.Request, _ identity) {
	j, ok := s.journalStore(w)
	if !ok {
		return
	}
	st, err := j.PortStatus(r.Context())
	if err != nil {
		s.internal(w, "port status failed", err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// parseAuditQuery reads an audit-log query string.
func parseAuditQuery(v url.Values) (records.AuditQuery, error) {
	q := records.AuditQuery{Officer: v.Get("officer"), Action: v.Get("action"), Origin: v.Get("origin")}
	for name, val := range map[string]string{"officer": q.Officer, "action": q.Action, "origin": q.Origin} {
		if len(val) > 64 || strings.ContainsFunc(val, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return q, fmt.Errorf("%s=%q: at most 64 printable characters", name, val)
		}
	}
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if s := v.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return q, fmt.Errorf("%s=%q: want an RFC 3339 time", name, s)
			}
			*dst = t
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > 1000 {
			return q, fmt.Errorf("limit=%q: want 1 to 1000", s)
		}
		q.Limit = n
	}
	return q, nil
}

// handleAuditLog answers an audit-log query from every workstation's chain
// the server holds. Each read is itself audited in the server's own chain
// (action audit_read) before the answer leaves: an unaudited read is never
// served.
func (s *Server) handleAuditLog(w http.ResponseWriter, r *http.Request, id identity) {
	j, ok := s.journalStore(w)
	if !ok {
		return
	}
	q, err := parseAuditQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: err.Error()})
		return
	}
	officer := strings.TrimSpace(r.Header.Get(HeaderOfficer))
	if officer == "" || len(officer) > 32 || strings.ContainsFunc(officer, func(r rune) bool { return r <= 0x20 || r == 0x7f }) {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: "name the officer signed in (" + HeaderOfficer + ")"})
		return
	}
	entries, err := j.QueryAudit(r.Context(), q)
	if err != nil {
		s.internal(w, "audit query failed", err)
		return
	}
	detail, _ := json.Marshal(map[string]any{"workstation": id.workstation, "query": q.String(), "results": len(entries)})
	if err := j.Audit(r.Context(), records.AuditEntry{Officer: officer, Action: records.AuditActionAuditRead,
		Subject: "audit-log " + q.String(), Detail: detail}); err != nil {
		s.internal(w, "auditing the audit-log read failed", err)
		return
	}
	s.log.Info("audit log read", "workstation", id.workstation, "officer", officer, "query", q.String(), "results", len(entries))
	writeJSON(w, http.StatusOK, AuditLogResponse{Entries: entries})
}

// SendJournal posts entries of the workstation's own lane journal.
func (c *Client) SendJournal(ctx context.Context, req JournalRequest) (JournalResponse, error) {
	var resp JournalResponse
	err := c.do(ctx, http.MethodPost, PathJournal, nil, req, &resp)
	return resp, err
}

// SendHeartbeat posts the workstation's heartbeat.
func (c *Client) SendHeartbeat(ctx context.Context, hb records.Heartbeat) error {
	return c.do(ctx, http.MethodPost, PathHeartbeat, nil, hb, nil)
}

// JournalFeed reads the port's lane journal after version after
// (supervisor certificates only).
func (c *Client) JournalFeed(ctx context.Context, after int64, limit int) (JournalFeedResponse, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var resp JournalFeedResponse
	err := c.do(ctx, http.MethodGet, PathJournal, q, nil, &resp)
	return resp, err
}

// PortStatus reads the port server's status of its workstations
// (supervisor certificates only).
func (c *Client) PortStatus(ctx context.Context) (records.PortStatus, error) {
	var st records.PortStatus
	err := c.do(ctx, http.MethodGet, PathPortStatus, nil, nil, &st)
	return st, err
}

// QueryAudit reads every workstation's audit chain at the port server with
// q, for officer (the badge signed in at the console, named in the server's
// own audit entry of the read). Supervisor certificates only.
func (c *Client) QueryAudit(ctx context.Context, q records.AuditQuery, officer string) ([]records.AuditEntry, error) {
	v := url.Values{}
	for k, s := range map[string]string{"officer": q.Officer, "action": q.Action, "origin": q.Origin} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.UTC().Format(time.RFC3339Nano))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	req, err := c.newRequest(ctx, http.MethodGet, PathAuditLog, v, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(HeaderOfficer, officer)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", PathAuditLog, err)
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return nil, err
	}
	var out AuditLogResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(&out); err != nil {
		return nil, fmt.Errorf("GET %s: read answer: %w", PathAuditLog, err)
	}
	return out.Entries, nil
}
