package replication

import (
	"context"
	"net/http"

	"github.com/portofentry/booth/records"
)

// QuarantineStore is what a server store offers about quarantine (the port
// server's store does; a store without it has nothing held).
type QuarantineStore interface {
	// HeldQuarantine lists origin's events held in quarantine; "" lists
	// every origin's.
	HeldQuarantine(ctx context.Context, origin string) ([]records.QuarantinedEvent, error)
}

func quarantineNotes(held []records.QuarantinedEvent) []QuarantineNote {
	out := make([]QuarantineNote, 0, len(held))
	for _, q := range held {
		out = append(out, QuarantineNote{ID: q.Event.ID, Origin: q.Event.Origin, OriginSeq: q.Event.OriginSeq,
			CrossingID: q.Event.CrossingID, Kind: string(q.Event.Kind), Code: q.Code, Reason: q.Reason, ReceivedAt: q.ReceivedAt})
	}
	return out
}

// heldFor returns origin's quarantined events for an acknowledgement; a
// failure to read them is logged and leaves the list empty (the ack stands).
func (s *Server) heldFor(ctx context.Context, origin string) []QuarantineNote {
	qs, ok := s.cfg.Store.(QuarantineStore)
	if !ok {
		return nil
	}
	held, err := qs.HeldQuarantine(ctx, origin)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("reading the quarantine failed", "workstation", origin, "err", err)
		}
		return nil
	}
	if len(held) == 0 {
		return nil
	}
	return quarantineNotes(held)
}

// feedQuarantine is heldFor for a feed answer: an empty list when nothing
// is held, nil when the server cannot say (the workstation then keeps what
// it knew rather than clearing its notice).
func (s *Server) feedQuarantine(ctx context.Context, origin string) []QuarantineNote {
	qs, ok := s.cfg.Store.(QuarantineStore)
	if !ok {
		return []QuarantineNote{}
	}
	held, err := qs.HeldQuarantine(ctx, origin)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("reading the quarantine failed", "workstation", origin, "err", err)
		}
		return nil
	}
	return quarantineNotes(held)
}

// handleQuarantine serves every event held in quarantine at the port, to
// any role: supervisors see it on their console.
func (s *Server) handleQuarantine(w http.ResponseWriter, r *http.Request, _ identity) {
	qs, ok := s.cfg.Store.(QuarantineStore)
	if !ok {
		writeJSON(w, http.StatusOK, QuarantineResponse{Held: []QuarantineNote{}})
		return
	}
	held, err := qs.HeldQuarantine(r.Context(), "")
	if err != nil {
		s.log.Error("reading the quarantine failed", "err", err)
		writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: "the server could not read its quarantine"})
		return
	}
	writeJSON(w, http.StatusOK, QuarantineResponse{Held: quarantineNotes(held)})
}
