package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// ErrSchemaTooNew is returned by Open when the database was written by a
// newer build than this one: opening it could misread or damage data.
var ErrSchemaTooNew = errors.New("database schema is newer than this build")

// ErrSchemaTooOld is returned by a read-only Open when the database has not
// been migrated to this build's schema yet (only a writer may migrate).
var ErrSchemaTooOld = errors.New("database schema is older than this build")

// loadMigrations reads the embedded migrations, named NNNN_description.sql,
// in ascending number order. Numbers need not be contiguous: the core schema
// uses 0001–0099 and other parts of the store their own ranges (0100…), so
// each part can add steps without colliding. Each number is applied once.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var ms []migration
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
		body, err := fs.ReadFile(migrationFS, path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the highest schema version this build creates and
// understands.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
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
func unknownVersions(applied map[int]bool, ms []migration) []int {
	known := map[int]bool{}
	for _, m := range ms {
		known[m.version] = true
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

// migrate brings the database up to this build's schema. All pending
// migrations run in one immediate transaction, so a crash leaves either the
// old schema or the new one. A database carrying a migration this build does
// not know is refused before anything is changed.
func migrate(ctx context.Context, db *sql.DB, ms []migration) (applied []string, err error) {
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
			ErrSchemaTooNew, unknown, ms[len(ms)-1].version)
	}
	if _, err = tx.ExecContext(ctx, createVersionTable); err != nil {
		return nil, fmt.Errorf("create schema_version: %w", err)
	}
	now := time.Now().UnixNano()
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		if _, err = tx.ExecContext(ctx, m.sql); err != nil {
			return nil, fmt.Errorf("apply migration %s: %w", m.name, err)
		}
		if _, err = tx.ExecContext(ctx,
			`INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, now); err != nil {
			return nil, fmt.Errorf("record migration %s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	if err = tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit migrations: %w", err)
	}
	return applied, nil
}

// checkVersion is the read-only counterpart of migrate: the database must
// hold exactly this build's migrations, since a read-only handle can neither
// migrate it nor safely read a newer layout.
func checkVersion(ctx context.Context, db *sql.DB, ms []migration) error {
	done, err := appliedVersions(ctx, db)
	if err != nil {
		return err
	}
	if unknown := unknownVersions(done, ms); len(unknown) > 0 {
		return fmt.Errorf("%w: database has schema version(s) %v, this build knows up to %d; use a newer booth build",
			ErrSchemaTooNew, unknown, ms[len(ms)-1].version)
	}
	var missing []string
	for _, m := range ms {
		if !done[m.version] {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: migrations %v are not applied; open it read-write once to migrate", ErrSchemaTooOld, missing)
	}
	return nil
}
