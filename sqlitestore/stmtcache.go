package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
)

// stmtCache keeps the writer's hot statements prepared across transactions:
// parsing SQL costs more than executing these small inserts. They are all
// prepared at Open, because the writer has one connection: preparing on the
// *sql.DB while a transaction holds that connection would wait forever.
type stmtCache struct {
	m map[string]*sql.Stmt
}

// hotWriterQueries are the statements Append, the generator and the
// projection rebuild run for every event or crossing.
var hotWriterQueries = []string{
	insertEventSQL, eventByIDSQL, lastSeqSQL, crossingHeldSQL, insertOutboxSQL, crossingEventsSQL,
	keysHashSQL, upsertCrossingSQL, deleteTravelersSQL, deleteDocumentsSQL, deletePlateSQL, deleteEPCsSQL,
	insertTravelerSQL, insertDocumentSQL, insertPlateSQL, insertEPCSQL,
}

func (c *stmtCache) prepare(ctx context.Context, db *sql.DB) error {
	c.m = make(map[string]*sql.Stmt, len(hotWriterQueries))
	for _, q := range hotWriterQueries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			c.close()
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		c.m[q] = st
	}
	return nil
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// txExec runs statements inside tx, through the prepared statement when
// there is one. It is read-only after Open, so needs no lock.
type txExec struct {
	tx    *sql.Tx
	cache *stmtCache
}

func (x txExec) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := x.cache.m[query]; ok {
		return x.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return x.tx.ExecContext(ctx, query, args...)
}

func (x txExec) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := x.cache.m[query]; ok {
		return x.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return x.tx.QueryContext(ctx, query, args...)
}
