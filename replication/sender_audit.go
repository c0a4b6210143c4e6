package replication

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/portofentry/booth/records"
)

// drainAudit sends the workstation's own audit chain after its events, in
// seq order, and records the server's acknowledgements. It follows the same
// rules as events: resend from what the server says it holds, never skip.
func (s *Sender) drainAudit(ctx context.Context) error {
	for {
		acked, err := s.cfg.Store.AuditAcked(ctx)
		if err != nil {
			return err
		}
		after := acked
		if s.auditHWM >= 0 && s.auditHWM < acked {
			after = s.auditHWM // the server lost entries it had acknowledged
		}
		entries, err := s.cfg.Store.AuditOutbox(ctx, after, s.cfg.BatchSize)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
		resp, err := s.cfg.Client.SendAudit(rctx, AuditRequest{Entries: entries})
		cancel()
		if err == nil {
			s.keepCheckpoint(ctx, resp)
			s.auditHWM = resp.Acked
			if err := s.ackAudit(ctx, acked, resp.Acked); err != nil {
				return err
			}
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var se *StatusError
		if !errors.As(err, &se) {
			s.cfg.Client.CloseIdle()
			s.board.report(true, StateOffline, err)
			return err
		}
		if se.Body.Acked != nil {
			s.auditHWM = *se.Body.Acked
			if err := s.ackAudit(ctx, acked, *se.Body.Acked); err != nil {
				return err
			}
		}
		switch {
		case se.Status == http.StatusConflict && se.Body.Error == CodeGap:
			s.auditHWM = se.Body.Expected - 1
			if err := s.ackAudit(ctx, acked, s.auditHWM); err != nil {
				return err
			}
			continue
		case se.Status >= 500:
			s.board.report(true, StateOffline, err)
			return err
		default:
			s.board.report(true, StateError, fmt.Errorf("audit chain: %w", err))
			s.log.Error("server refused the audit chain; entries stay queued", "err", err)
			return fmt.Errorf("%w: %w", errHeld, err)
		}
	}
}

func (s *Sender) ackAudit(ctx context.Context, acked, upTo int64) error {
	if upTo <= acked {
		return nil
	}
	if err := s.cfg.Store.AckAudit(ctx, upTo); err != nil {
		s.board.report(true, StateError, err)
		return fmt.Errorf("%w: %w", errHeld, err)
	}
	return nil
}

// checkpointKeeper is the store side of anchored audit: it keeps the
// checkpoints the server countersigned (*sqlitestore.Store is one). A store
// without it simply keeps none.
type checkpointKeeper interface {
	AddAuditCheckpoint(ctx context.Context, cp records.AuditCheckpoint) error
}

// keepCheckpoint stores the checkpoint of a successful upload. A checkpoint
// that cannot be kept (bad signature, full disk) is logged and not fatal:
// the entries are acknowledged either way and the next upload brings
// another.
func (s *Sender) keepCheckpoint(ctx context.Context, resp AuditResponse) {
	cp := resp.Checkpoint
	k, ok := s.cfg.Store.(checkpointKeeper)
	if cp == nil || !ok {
		return
	}
	if cp.Seq != resp.Acked {
		s.log.Error("audit checkpoint refused: it is not for the acknowledged seq", "seq", cp.Seq, "acked", resp.Acked)
		return
	}
	if err := k.AddAuditCheckpoint(ctx, *cp); err != nil {
		s.log.Error("audit checkpoint not kept", "seq", cp.Seq, "err", err)
	}
}
