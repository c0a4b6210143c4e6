package replication

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/portofentry/booth/records"
)

// defaultFeedLimit is the feed batch when the request names none.
const defaultFeedLimit = 1000

func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request, id identity) {
	q := r.URL.Query()
	after, err := strconv.ParseInt(q.Get("after"), 10, 64)
	if err != nil || after < 0 {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: fmt.Sprintf("after=%q: want a version >= 0", q.Get("after"))})
		return
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		if wait, err = time.ParseDuration(v); err != nil || wait < 0 || wait > MaxFeedWait {
			writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: fmt.Sprintf("wait=%q: want a duration from 0 to %s", v, MaxFeedWait)})
			return
		}
	}
	limit := defaultFeedLimit
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit <= 0 || limit > MaxFeedLimit {
			writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: fmt.Sprintf("limit=%q: want 1 to %d", v, MaxFeedLimit)})
			return
		}
	}
	s.metrics.feedRequests.Add(1)
	s.noteSeen(id, after)

	ctx := r.Context()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	var evs []records.FeedEvent
	for {
		news := s.news.C() // before the read: a commit after it wakes us
		evs, err = s.cfg.Store.FeedSince(ctx, after, limit)
		if errors.Is(err, records.ErrSnapshotRequired) {
			floor, _ := s.cfg.Store.FeedFloor(ctx)
			writeError(w, http.StatusGone, ErrorResponse{Error: CodeSnapshotRequired, Floor: floor,
				Message: fmt.Sprintf("the feed no longer reaches back to version %d (floor %d): take a snapshot", after, floor)})
			return
		}
		if err != nil {
			s.internal(w, "feed read failed", err)
			return
		}
		if len(evs) == 0 {
			// A workstation ahead of the server's head has seen a feed this
			// server no longer has (restored from an older backup): its
			// versions mean nothing here, it must resynchronise.
			head, err := s.cfg.Store.FeedHead(ctx)
			if err != nil {
				s.internal(w, "feed head failed", err)
				return
			}
			if after > head {
				floor, _ := s.cfg.Store.FeedFloor(ctx)
				writeError(w, http.StatusGone, ErrorResponse{Error: CodeSnapshotRequired, Floor: floor,
					Message: fmt.Sprintf("version %d is ahead of this server's feed (head %d): take a snapshot", after, head)})
				return
			}
		}
		if len(evs) > 0 || wait == 0 {
			break
		}
		select {
		case <-news:
			continue
		case <-deadline.C:
			wait = 0 // one last look, then answer empty
			continue
		case <-ctx.Done():
			return
		}
	}
	resp := FeedResponse{Events: make([]records.Event, len(evs)), Version: after}
	for i, fe := range evs {
		resp.Events[i] = fe.Event
		resp.Version = fe.Version
	}
	if resp.Head, err = s.cfg.Store.FeedHead(ctx); err != nil {
		s.internal(w, "feed head failed", err)
		return
	}
	resp.More = resp.Head > resp.Version
	if resp.Reference, err = s.cfg.Store.PublishedReference(ctx); err != nil {
		s.internal(w, "reference listing failed", err)
		return
	}
	resp.Quarantined = s.feedQuarantine(ctx, id.workstation)
	s.metrics.feedEvents.Add(int64(len(evs)))
	writeJSON(w, http.StatusOK, resp)
}

// handleSnapshot answers with the snapshot as JSON lines: a SnapshotHeader,
// one event per line, a SnapshotTrailer. The events come from one
// consistent read, so the header's version is exact.
func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request, id identity) {
	ctx := r.Context()
	// Gather into a buffer: a snapshot is the open work of a port (hundreds
	// to a few thousand events), and gathering first lets the header carry
	// the exact version and an error become a proper status code.
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	n := 0
	version, err := s.cfg.Store.Snapshot(ctx, func(e records.Event) error {
		n++
		return enc.Encode(e)
	})
	if err != nil {
		s.internal(w, "snapshot failed", err)
		return
	}
	ref, err := s.cfg.Store.PublishedReference(ctx)
	if err != nil {
		s.internal(w, "reference listing failed", err)
		return
	}
	s.metrics.snapshots.Add(1)
	s.log.Info("snapshot served", "workstation", id.workstation, "version", version, "events", n)
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	wenc := json.NewEncoder(bw)
	_ = wenc.Encode(SnapshotHeader{Version: version, Reference: ref})
	_, _ = body.WriteTo(bw)
	_ = wenc.Encode(SnapshotTrailer{End: true, Events: n})
	_ = bw.Flush() // a peer that went away retries the snapshot
}

func (s *Server) handleReference(w http.ResponseWriter, r *http.Request, id identity) {
	kind := r.PathValue("kind")
	version, err := strconv.ParseInt(r.PathValue("version"), 10, 64)
	if err != nil || version <= 0 {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: "version must be a positive integer"})
		return
	}
	d, body, found, err := s.cfg.Store.PublishedReferenceBody(r.Context(), kind, version)
	if err == nil && !found {
		writeError(w, http.StatusNotFound, ErrorResponse{Error: CodeNotFound, Message: fmt.Sprintf("reference %s version %d is not published", kind, version)})
		return
	}
	if err != nil {
		s.internal(w, "reference read failed", err)
		return
	}
	s.metrics.referenceFiles.Add(1)
	s.log.Info("reference file served", "workstation", id.workstation, "kind", kind, "version", version)
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set(HeaderReferenceVersion, strconv.FormatInt(d.Version, 10))
	h.Set(HeaderReferenceAsOf, d.AsOf.Format(time.RFC3339Nano))
	h.Set(HeaderReferenceSHA256, d.SHA256)
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ identity) {
	var b bytes.Buffer
	if err := s.metrics.write(r.Context(), &b, s.cfg.Store, time.Now()); err != nil {
		s.internal(w, "metrics failed", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = b.WriteTo(w)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, _ identity) {
	if _, err := s.cfg.Store.FeedHead(r.Context()); err != nil {
		s.log.Error("health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) internal(w http.ResponseWriter, msg string, err error) {
	s.log.Error(msg, "err", err)
	writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: msg})
}
