package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// TestReadPoolIsReadOnlyInSQLite: the read pool the screens read through
// (look-ups, history, reference status: every read-only session's screens,
// a supervisor's at a primary booth included) is opened mode=ro, so SQLite
// itself refuses a write on every one of its connections with
// SQLITE_READONLY, even after `PRAGMA query_only = 0` (query_only alone
// could be switched off through the handle; mode=ro cannot). It holds for a
// workstation's writable store and for a supervisor console's read-only one.
func TestReadPoolIsReadOnlyInSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "booth.db")
	const conns = 3
	w := openAt(t, path, Options{Origin: "WS-1", ReadConns: conns, PINIterations: 1000})
	if err := w.AddOfficer(ctx, "S1", "Sam Lee", RoleSupervisor, []byte("739102")); err != nil {
		t.Fatal(err)
	}
	ro := openAt(t, path, Options{ReadOnly: true, ReadConns: conns})

	writes := []string{
		`INSERT INTO officers (badge, name, roles, pin_algo, pin_iterations, pin_salt, pin_hash, created_at)
			VALUES ('X1', 'Intruder', 'primary', 'x', 1, x'00', x'00', 0)`,
		`UPDATE officers SET roles = 'primary' WHERE badge = 'S1'`,
		`DELETE FROM events`,
		`CREATE TABLE intruder (x)`,
	}
	for _, tc := range []struct {
		name string
		s    *Store
	}{{"workstation store", w}, {"read-only store", ro}} {
		t.Run(tc.name, func(t *testing.T) {
			// Hold every connection of the pool at once so each is tried.
			var held []*sql.Conn
			for range conns {
				c, err := tc.s.read.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, c)
			}
			for i, c := range held {
				if _, err := c.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
					t.Fatalf("conn %d: PRAGMA query_only = 0: %v", i, err)
				}
				for _, q := range writes {
					_, err := c.ExecContext(ctx, q)
					var se *sqlite.Error
					if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_READONLY {
						t.Errorf("conn %d: %.40q: %v; want SQLITE_READONLY", i, q, err)
					}
				}
				// The same connection still reads.
				var n int
				if err := c.QueryRowContext(ctx, `SELECT count(*) FROM officers WHERE badge = 'S1'`).Scan(&n); err != nil || n != 1 {
					t.Errorf("conn %d: read after the refused writes: %d %v", i, n, err)
				}
				c.Close()
			}
		})
	}
	// Nothing got through: S1 is still a supervisor and nobody else exists.
	offs, err := w.ListOfficers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(offs) != 1 || offs[0].Badge != "S1" || offs[0].Roles.String() != RoleSupervisor {
		t.Errorf("officers after the refused writes: %+v", offs)
	}
}
