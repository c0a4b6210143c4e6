package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// The lane journal (records/lanejournal.go): a booth appends its entries
// numbered per origin without gaps; the port server ingests each booth's
// entries with the rules of the audit chain (next seq only, same id for a
// seq it holds, own origin only); a supervisor console applies the server's
// journal feed with its checkpoint in one transaction. Rows are never
// changed (the schema refuses UPDATE and DELETE).

// ErrInvalidJournal wraps the reason a journal entry was refused.
var ErrInvalidJournal = records.ErrInvalidJournal

const journalColumns = `version, id, origin, seq, port, lane, kind, device, code, active, detail, officer, at, recorded_at`

func scanJournal(r rowScanner) (records.JournalEntry, error) {
	var (
		e       records.JournalEntry
		kind    string
		active  int
		at, rec int64
	)
	if err := r.Scan(&e.Version, &e.ID, &e.Origin, &e.Seq, &e.Port, &e.Lane, &kind, &e.Device, &e.Code, &active,
		&e.Detail, &e.Officer, &at, &rec); err != nil {
		return e, err
	}
	e.Kind, e.Active = records.JournalKind(kind), active == 1
	e.At, e.RecordedAt = time.Unix(0, at).UTC(), time.Unix(0, rec).UTC()
	return e, nil
}

func (s *Store) journalList(ctx context.Context, what, query string, args ...any) ([]records.JournalEntry, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	defer rows.Close()
	var out []records.JournalEntry
	for rows.Next() {
		e, err := scanJournal(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return out, nil
}

func insertJournal(ctx context.Context, tx *sql.Tx, e records.JournalEntry) error {
	active := 0
	if e.Active {
		active = 1
	}
	at, err := encodeTime(e.At)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidJournal, err)
	}
	rec, err := encodeTime(e.RecordedAt)
	if err != nil || !rec.Valid {
		return fmt.Errorf("%w: recorded_at %s", ErrInvalidJournal, e.RecordedAt)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO lane_journal (id, origin, seq, port, lane, kind, device, code, active, detail, officer, at, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Origin, e.Seq, e.Port, e.Lane, string(e.Kind), e.Device, e.Code,
		active, e.Detail, e.Officer, at.Int64, rec.Int64)
	if err != nil {
		return fmt.Errorf("insert journal %s #%d: %w", e.Origin, e.Seq, err)
	}
	return nil
}

// AppendJournal appends entries to this workstation's lane journal in one
// durable transaction, stamping each with the store's origin, the next seq
// and the time it was recorded (an ID when empty). An entry whose ID is
// already stored is not written again, so a retried append cannot
// duplicate it. It returns the entries as stored.
func (s *Store) AppendJournal(ctx context.Context, entries ...records.JournalEntry) ([]records.JournalEntry, error) {
	out := make([]records.JournalEntry, 0, len(entries))
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM lane_journal WHERE origin = ?`, s.origin).Scan(&last); err != nil {
			return fmt.Errorf("read journal head: %w", err)
		}
		now := time.Now().UTC()
		for _, e := range entries {
			if e.ID != "" {
				stored, err := scanJournal(tx.QueryRowContext(ctx, `SELECT `+journalColumns+` FROM lane_journal WHERE id = ?`, e.ID))
				if err == nil {
					out = append(out, stored)
					continue
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("look up journal id: %w", err)
				}
			} else {
				e.ID = records.NewID()
			}
			e.Origin, e.Version = s.origin, 0
			e.At, e.RecordedAt = e.At.UTC(), now
			if err := e.Validate(); err != nil {
				return err
			}
			last++
			e.Seq = last
			if err := insertJournal(ctx, tx, e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: append journal: %w", err)
	}
	return out, nil
}

// JournalOutbox returns up to limit entries of this workstation's own
// journal with seq greater than after, in seq order.
func (s *Store) JournalOutbox(ctx context.Context, after int64, limit int) ([]records.JournalEntry, error) {
	if limit <= 0 {
		limit = 500
	}
	return s.journalList(ctx, "journal outbox", `SELECT `+journalColumns+` FROM lane_journal
		WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?`, s.origin, after, min(limit, maxOutboxBatch))
}

// JournalAcked is the highest seq of the own journal the server holds.
func (s *Store) JournalAcked(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT acked FROM repl_journal_ack WHERE singleton = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlitestore: journal acked: %w", err)
	}
	return n, nil
}

// JournalBacklog is how many own journal entries wait for the server and
// when the oldest of them was recorded.
func (s *Store) JournalBacklog(ctx context.Context) (int, time.Time, error) {
	var (
		n      int
		oldest sql.NullInt64
	)
	err := s.read.QueryRowContext(ctx, `SELECT count(*), min(recorded_at) FROM lane_journal
		WHERE origin = ? AND seq > (SELECT acked FROM repl_journal_ack WHERE singleton = 1)`, s.origin).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlitestore: journal backlog: %w", err)
	}
	return n, decodeTime(oldest), nil
}

// AckJournal records that the server holds the own journal up to seq upTo.
// Acks are monotonic; one beyond the journal's end is ErrAckBeyondSent.
func (s *Store) AckJournal(ctx context.Context, upTo int64) error {
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM lane_journal WHERE origin = ?`, s.origin).Scan(&last); err != nil {
			return err
		}
		if upTo > last {
			return fmt.Errorf("%w: journal ack %d, journal ends at %d", ErrAckBeyondSent, upTo, last)
		}
		_, err := tx.ExecContext(ctx, `UPDATE repl_journal_ack SET acked = max(acked, ?) WHERE singleton = 1`, upTo)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: ack journal: %w", err)
	}
	return nil
}

// IngestJournal stores entries of origin's journal received from that
// workstation, in one durable transaction. It stops at the first entry it
// cannot take — a gap (*records.GapError), another origin
// (records.ErrForeignOrigin), another entry under a held seq or an id held
// under another number (records.ErrSequenceConflict), an invalid entry
// (ErrInvalidJournal) — keeps what came before and returns the origin's
// high-water mark with that error.
func (s *Store) IngestJournal(ctx context.Context, origin string, entries []records.JournalEntry) (acked int64, stop error) {
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		stop = nil
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM lane_journal WHERE origin = ?`, origin).Scan(&acked); err != nil {
			return fmt.Errorf("read journal head of %s: %w", origin, err)
		}
		for _, e := range entries {
			switch {
			case e.Origin != origin:
				stop = fmt.Errorf("%w: %s sent journal entry %s of %q", records.ErrForeignOrigin, origin, e.ID, e.Origin)
				return nil
			case e.Seq <= acked:
				var id string
				if err := tx.QueryRowContext(ctx, `SELECT id FROM lane_journal WHERE origin = ? AND seq = ?`, origin, e.Seq).Scan(&id); err != nil {
					return fmt.Errorf("look up journal %s #%d: %w", origin, e.Seq, err)
				}
				if id != e.ID {
					stop = fmt.Errorf("%w: journal %s #%d is entry %s, received %s", records.ErrSequenceConflict, origin, e.Seq, id, e.ID)
					return nil
				}
				continue
			case e.Seq > acked+1:
				stop = &records.GapError{Origin: origin, Expected: acked + 1, Got: e.Seq}
				return nil
			}
			if err := checkJournalEntry(e); err != nil {
				stop = fmt.Errorf("journal %s #%d: %w", origin, e.Seq, err)
				return nil
			}
			var held string
			err := tx.QueryRowContext(ctx, `SELECT origin || ' #' || seq FROM lane_journal WHERE id = ?`, e.ID).Scan(&held)
			if err == nil {
				stop = fmt.Errorf("%w: journal entry %s is held as %s, received as %s #%d", records.ErrSequenceConflict, e.ID, held, origin, e.Seq)
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("look up journal id %s: %w", e.ID, err)
			}
			e.Version = 0
			if err := insertJournal(ctx, tx, e); err != nil {
				return err
			}
			acked = e.Seq
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: ingest journal of %s: %w", origin, err)
	}
	return acked, stop
}

// checkJournalEntry checks what a received entry must carry besides its
// content: an id and a recording time.
func checkJournalEntry(e records.JournalEntry) error {
	if e.ID == "" || len(e.ID) > 64 {
		return fmt.Errorf("%w: id %q", ErrInvalidJournal, e.ID)
	}
	if e.RecordedAt.IsZero() {
		return fmt.Errorf("%w: %s has no recorded_at", ErrInvalidJournal, e.ID)
	}
	return e.Validate()
}

// JournalFeed returns up to limit journal entries stored after version
// after, in version order, each with its Version, and the newest version
// held (the head). At the port server this is the journal feed.
func (s *Store) JournalFeed(ctx context.Context, after int64, limit int) ([]records.JournalEntry, int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	evs, err := s.journalList(ctx, "journal feed", `SELECT `+journalColumns+` FROM lane_journal
		WHERE version > ? ORDER BY version LIMIT ?`, after, min(limit, maxOutboxBatch))
	if err != nil {
		return nil, 0, err
	}
	var head int64
	if err := s.read.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM lane_journal`).Scan(&head); err != nil {
		return nil, 0, fmt.Errorf("sqlitestore: journal head: %w", err)
	}
	return evs, head, nil
}

// JournalCheckpoint is how far a supervisor console has applied the port
// server's journal feed (0 before the first pull).
func (s *Store) JournalCheckpoint(ctx context.Context) (int64, error) {
	var v int64
	if err := s.read.QueryRowContext(ctx, `SELECT version FROM journal_checkpoint WHERE singleton = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlitestore: journal checkpoint: %w", err)
	}
	return v, nil
}

// ApplyJournal stores the entries of a journal feed answer not stored yet
// (by id) and moves the checkpoint to version, in one transaction; it
// returns how many entries were new. An entry whose origin and seq another
// stored entry holds aborts everything (ErrSequenceConflict).
func (s *Store) ApplyJournal(ctx context.Context, entries []records.JournalEntry, version int64) (int, error) {
	n := 0
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, e := range entries {
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM lane_journal WHERE origin = ? AND seq = ?`, e.Origin, e.Seq).Scan(&id)
			switch {
			case err == nil && id == e.ID:
				continue
			case err == nil:
				return fmt.Errorf("%w: journal %s #%d is entry %s, the feed sent %s", records.ErrSequenceConflict, e.Origin, e.Seq, id, e.ID)
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("look up journal %s #%d: %w", e.Origin, e.Seq, err)
			}
			if err := checkJournalEntry(e); err != nil {
				return err
			}
			if err := insertJournal(ctx, tx, e); err != nil {
				return err
			}
			n++
		}
		_, err := tx.ExecContext(ctx, `UPDATE journal_checkpoint SET version = max(version, ?), updated_at = ? WHERE singleton = 1`,
			version, time.Now().UnixNano())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: apply journal: %w", err)
	}
	return n, nil
}

// JournalEntries lists journal entries by q, newest first. Limit is capped
// at 1000; 0 means 50.
func (s *Store) JournalEntries(ctx context.Context, q records.JournalQuery) ([]records.JournalEntry, error) {
	return s.journalEntries(ctx, q, clampLimit(q.Limit))
}

func (s *Store) journalEntries(ctx context.Context, q records.JournalQuery, limit int) ([]records.JournalEntry, error) {
	since, until := int64(-1<<63), int64(1<<63-1)
	if !q.Since.IsZero() {
		since = nanos(q.Since)
	}
	if !q.Until.IsZero() {
		until = nanos(q.Until)
	}
	return s.journalList(ctx, "journal entries", `SELECT `+journalColumns+` FROM lane_journal
		WHERE (? = '' OR lane = ?) AND at >= ? AND at < ? ORDER BY at DESC, version DESC LIMIT ?`,
		q.Lane, q.Lane, since, until, limit)
}
