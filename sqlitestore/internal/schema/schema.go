// Package schema applies a store's numbered, embedded SQL migrations: each
// once, all pending ones in one transaction, recorded in schema_version; a
// database carrying a migration the build does not know is refused. The
// booth's stores (the crossing record, the biometric store) each embed
// their own directory of migrations and run them through it.
package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one numbered schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ErrSchemaTooNew is returned when the database was written by a
// newer build than this one: opening it could misread or damage data.
var ErrSchemaTooNew = errors.New("database schema is newer than this build")

// ErrSchemaTooOld is returned by Check when the database has not
// been migrated to this build's schema yet (only a writer may migrate).
var ErrSchemaTooOld = errors.New("database schema is older than this build")

// Load reads the migrations in dir of fsys, named NNNN_description.sql, in
// ascending number order. Numbers need not be contiguous. Each number is
// applied once.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %q: name must be NNNN_description.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: number must be a positive integer", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %q and %q share number %d", other, name, v)
		}
		seen[v] = name
		body, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
)`

type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// appliedVersions returns the migrations recorded in the database (none for
// a new database).
func appliedVersions(ctx context.Context, q queryer) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`)
	if err != nil {
		return nil, fmt.Errorf("look for schema_version: %w", err)
	}
	var exists int
	for rows.Next() {
		if err := rows.Scan(&exists); err != nil {
			rows.Close()
			return nil, fmt.Errorf("look for schema_version: %w", err)
		}
	}
	rows.Close()
	applied := map[int]bool{}
	if exists == 0 {
		return applied, nil
	}
	rows, err = q.QueryContext(ctx, `SELECT version FROM schema_version`)
	if err != nil {
		return nil, fmt.Errorf("read schema_version: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_version: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_version: %w", err)
	}
	return applied, nil
}

// unknownVersions lists applied versions this build has no migration for:
// the database was written by a newer build.
func unknownVersions(applied map[int]bool, ms []Migration) []int {
	known := map[int]bool{}
	for _, m := range ms {
		known[m.Version] = true
	}
	var unknown []int
	for v := range applied {
		if !known[v] {
			unknown = append(unknown, v)
		}
	}
	sort.Ints(unknown)
	return unknown
}

// Apply brings the database up to the schema of ms. All pending
// migrations run in one immediate transaction, so a crash leaves either the
// old schema or the new one. A database carrying a migration this build does
// not know is refused before anything is changed.
func Apply(ctx context.Context, db *sql.DB, ms []Migration) (applied []string, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin migration: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	done, err := appliedVersions(ctx, tx)
	if err != nil {
		return nil, err
	}
	if unknown := unknownVersions(done, ms); len(unknown) > 0 {
		return nil, fmt.Errorf("%w: database has schema version(s) %v, this build knows up to %d; use a newer booth build",
			ErrSchemaTooNew, unknown, ms[len(ms)-1].Version)
	}
	if _, err = tx.ExecContext(ctx, createVersionTable); err != nil {
		return nil, fmt.Errorf("create schema_version: %w", err)
	}
	now := time.Now().UnixNano()
	for _, m := range ms {
		if done[m.Version] {
			continue
		}
		if _, err = tx.ExecContext(ctx, m.SQL); err != nil {
			return nil, fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
		if _, err = tx.ExecContext(ctx,
			`INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, now); err != nil {
			return nil, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	if err = tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit migrations: %w", err)
	}
	return applied, nil
}

// Check is the read-only counterpart of Apply: the database must
// hold exactly this build's migrations, since a read-only handle can neither
// migrate it nor safely read a newer layout.
func Check(ctx context.Context, db *sql.DB, ms []Migration) error {
	done, err := appliedVersions(ctx, db)
	if err != nil {
		return err
	}
	if unknown := unknownVersions(done, ms); len(unknown) > 0 {
		return fmt.Errorf("%w: database has schema version(s) %v, this build knows up to %d; use a newer booth build",
			ErrSchemaTooNew, unknown, ms[len(ms)-1].Version)
	}
	var missing []string
	for _, m := range ms {
		if !done[m.Version] {
			missing = append(missing, m.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: migrations %v are not applied; open it read-write once to migrate", ErrSchemaTooOld, missing)
	}
	return nil
}
