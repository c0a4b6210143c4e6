package sqlitestore

import (
	"container/list"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/portofentry/booth/records"
)

// appendCacheCrossings bounds how many crossings' events the append cache
// keeps (least recently appended to are dropped first).
const appendCacheCrossings = 256

// appendCacheMaxEvents is the longest crossing the cache keeps; longer ones
// (rare) are re-read on every append so memory stays bounded.
const appendCacheMaxEvents = 4096

// writerMark identifies the writer connection's state as of a moment: how
// many rows it has changed in its life and SQLite's data_version, which
// moves when another connection (or process) commits.
type writerMark struct{ changes, dataVersion int64 }

const writerMarkSQL = `SELECT total_changes(), data_version FROM pragma_data_version`

// appendCache lets Append re-fold a crossing from the events it already
// holds instead of re-reading them, and number local events without
// reading the sequence back. It is filled from the database on a miss and
// updated only after a successful commit. Every entry is trusted only while
// the writer's mark is the one recorded after Append's last commit: any
// other write (replication, outbox acks, audit, projection rebuild, another
// process) moves the mark and drops the whole cache, so it can never serve
// events the database does not hold or miss ones it does.
//
// mu is held for a whole Append, begin to install, which costs nothing:
// the writer has one connection, so appends are serialized anyway.
type appendCache struct {
	mu    sync.Mutex
	valid bool
	mark  writerMark

	seq      int64 // last origin_seq of this store's origin
	seqKnown bool

	lru  *list.List               // of *cachedCrossing, most recent first
	byID map[string]*list.Element // crossing id -> element of lru
}

type cachedCrossing struct {
	id  string
	evs []records.Event // as stored, in fold order (at, id); never mutated
}

// reset drops everything. Callers hold mu.
func (c *appendCache) reset() {
	c.valid, c.seqKnown, c.seq = false, false, 0
	c.lru, c.byID = list.New(), map[string]*list.Element{}
}

// invalidate drops the cache from outside Append.
func (c *appendCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset()
}

// check compares the writer's mark at the start of a transaction with the
// one recorded after the last cached commit and drops the cache if they
// differ. Callers hold mu.
func (c *appendCache) check(m writerMark) {
	if c.byID == nil || !c.valid || m != c.mark {
		c.reset()
	}
}

// events returns the cached events of a crossing (shared: do not modify).
func (c *appendCache) events(id string) ([]records.Event, bool) {
	el, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	return el.Value.(*cachedCrossing).evs, true
}

// put records the events of a crossing as committed. Callers hold mu.
func (c *appendCache) put(id string, evs []records.Event) {
	if el, ok := c.byID[id]; ok {
		if len(evs) > appendCacheMaxEvents {
			c.lru.Remove(el)
			delete(c.byID, id)
			return
		}
		el.Value.(*cachedCrossing).evs = evs
		c.lru.MoveToFront(el)
		return
	}
	if len(evs) > appendCacheMaxEvents {
		return
	}
	c.byID[id] = c.lru.PushFront(&cachedCrossing{id: id, evs: evs})
	for c.lru.Len() > appendCacheCrossings {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.byID, old.Value.(*cachedCrossing).id)
	}
}

// readWriterMark reads the writer connection's mark inside tx.
func (s *Store) readWriterMark(ctx context.Context, tx *sql.Tx) (writerMark, error) {
	var m writerMark
	if err := tx.StmtContext(ctx, s.markStmt).QueryRowContext(ctx).Scan(&m.changes, &m.dataVersion); err != nil {
		return writerMark{}, fmt.Errorf("read writer state: %w", err)
	}
	return m, nil
}

// asStored is e as scanEvent would read it back: times at nanosecond
// precision in UTC, the payload in its own buffer.
func asStored(e records.Event) records.Event {
	at, _ := encodeTime(e.At) // validated
	rec, _ := encodeTime(e.RecordedAt)
	e.At, e.RecordedAt = decodeTime(at), decodeTime(rec)
	e.Payload = json.RawMessage(slices.Clone([]byte(e.Payload)))
	return e
}

// foldOrder orders events as crossingEventsSQL does: by at (NULL first),
// then id.
func foldOrder(a, b records.Event) int {
	na, _ := encodeTime(a.At)
	nb, _ := encodeTime(b.At)
	switch {
	case na.Valid != nb.Valid:
		if !na.Valid {
			return -1
		}
		return 1
	case na.Int64 != nb.Int64:
		if na.Int64 < nb.Int64 {
			return -1
		}
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

// withEvents returns a new slice: base plus added, in fold order. base is
// not modified.
func withEvents(base, added []records.Event) []records.Event {
	out := make([]records.Event, 0, len(base)+len(added))
	out = append(out, base...)
	for _, e := range added {
		i, _ := slices.BinarySearchFunc(out, e, foldOrder)
		out = slices.Insert(out, i, e)
	}
	return out
}
