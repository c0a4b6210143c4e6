package powerloss

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/portofentry/booth/sqlitestore"
)

// check opens the database after a reboot, as the booth or the server
// would, and prints what it holds: "integrity TEXT", then "event ID ORIGIN
// SEQ" for every event, and for a booth "outbox SEQ" per outbox row and
// "acked N", for a server "hwm ORIGIN N"; "done" last. It does not close
// the store: the next writer finds the files as the check left them, WAL
// and all, and recovers by itself.
func check(ctx context.Context, path string, booth bool, out *lineWriter) error {
	// integrity_check on a plain connection first (it also runs WAL
	// recovery), before the store's Open writes anything.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String())
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	var lines []string
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return fmt.Errorf("integrity_check: %w", err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	db.Close()
	out.printf("integrity %s", strings.Join(lines, " | "))

	origin := serverOrigin
	if booth {
		origin = boothOrigin
	}
	s, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Origin: origin, Logger: quiet})
	if err != nil {
		return fmt.Errorf("open the store after the cut: %w", err)
	}
	if booth {
		if err := originEvents(ctx, s, boothOrigin, out); err != nil {
			return err
		}
		acked, err := s.Acked(ctx)
		if err != nil {
			return err
		}
		out.printf("acked %d", acked)
		after := int64(0)
		for {
			evs, err := s.Outbox(ctx, after, 5000)
			if err != nil {
				return err
			}
			if len(evs) == 0 {
				break
			}
			for _, e := range evs {
				out.printf("outbox %d", e.OriginSeq)
				after = e.OriginSeq
			}
		}
	} else if err := serverState(ctx, s, out); err != nil {
		return err
	}
	out.printf("done")
	return nil
}

// ParseSnapshot reads a checker's output.
func ParseSnapshot(r io.Reader, booth bool) (*Snapshot, error) {
	s := &Snapshot{Booth: booth, Events: map[string]Stored{}, HWM: map[string]int64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	done := false
	for sc.Scan() {
		line := sc.Text()
		verb, rest, _ := strings.Cut(line, " ")
		var err error
		switch verb {
		case "integrity":
			s.Integrity = rest
		case "event":
			var id string
			var st Stored
			_, err = fmt.Sscan(rest, &id, &st.Origin, &st.Seq)
			s.Events[id] = st
		case "acked":
			_, err = fmt.Sscan(rest, &s.OutboxAcked)
		case "outbox":
			var seq int64
			_, err = fmt.Sscan(rest, &seq)
			s.Outbox = append(s.Outbox, seq)
		case "hwm":
			var origin string
			var n int64
			_, err = fmt.Sscan(rest, &origin, &n)
			s.HWM[origin] = n
		case "done":
			done = true
		default:
			err = fmt.Errorf("unknown line")
		}
		if err != nil {
			return nil, fmt.Errorf("checker line %q: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !done {
		return nil, fmt.Errorf("checker output ended early")
	}
	return s, nil
}
