package sqlitestore

import (
	"context"
	"database/sql"
	"embed"

	"github.com/portofentry/booth/sqlitestore/internal/schema"
)

// The schema is embedded numbered .sql files applied by package schema.
// Numbers need not be contiguous: the core schema uses 0001–0099 and other
// parts of the store their own ranges (0100…), so each part can add steps
// without colliding.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// Schema errors returned by Open.
var (
	// ErrSchemaTooNew: the database was written by a newer build than this
	// one; opening it could misread or damage data.
	ErrSchemaTooNew = schema.ErrSchemaTooNew
	// ErrSchemaTooOld: a read-only Open of a database not yet migrated to
	// this build's schema (only a writer may migrate).
	ErrSchemaTooOld = schema.ErrSchemaTooOld
)

func loadMigrations() ([]schema.Migration, error) { return schema.Load(migrationFS, "migrations") }

// migrate brings the database up to this build's schema (see schema.Apply).
func migrate(ctx context.Context, db *sql.DB, ms []schema.Migration) ([]string, error) {
	return schema.Apply(ctx, db, ms)
}

// checkVersion is migrate's read-only counterpart (see schema.Check).
func checkVersion(ctx context.Context, db *sql.DB, ms []schema.Migration) error {
	return schema.Check(ctx, db, ms)
}

// SchemaVersion is the highest schema version this build creates and
// understands.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}
