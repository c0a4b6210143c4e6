package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Reference data flows down from the port server: the server keeps the exact
// JSONL file it validated and loaded, and workstations fetch and load it with
// ImportReference, which validates it again.

// keepPublishedVersions is how many versions of each dataset the server keeps
// for workstations still fetching an older one.
const keepPublishedVersions = 2

// PublishReference validates and loads body as the dataset kind at version
// (like ImportReference) and, in the same transaction, keeps body for
// workstations to fetch. A bad line is an *ImportError and nothing changes.
func (s *Store) PublishReference(ctx context.Context, kind string, body []byte, version int64, asOf time.Time) (n int, err error) {
	sum := sha256.Sum256(body)
	now := time.Now().UTC()
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = importReferenceTx(ctx, tx, kind, bytes.NewReader(body), version, asOf, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO repl_reference (kind, version, as_of, sha256, size, body, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, kind, version, asOf.UnixNano(), hex.EncodeToString(sum[:]), len(body), body,
			now.UnixNano()); err != nil {
			return fmt.Errorf("keep %s version %d for the feed: %w", kind, version, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM repl_reference WHERE kind = ? AND version NOT IN
			(SELECT version FROM repl_reference WHERE kind = ? ORDER BY version DESC LIMIT ?)`,
			kind, kind, keepPublishedVersions); err != nil {
			return fmt.Errorf("drop old versions of %s: %w", kind, err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: publish reference %s version %d: %w", kind, version, err)
	}
	s.log.Info("reference data published", "kind", kind, "version", version, "as_of", asOf, "count", n)
	return n, nil
}

// PublishedReference lists the newest published version of each dataset.
func (s *Store) PublishedReference(ctx context.Context) ([]records.PublishedDataset, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT kind, version, as_of, sha256, size, published_at
		FROM repl_reference r WHERE version = (SELECT max(version) FROM repl_reference WHERE kind = r.kind)
		ORDER BY kind`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: published reference: %w", err)
	}
	defer rows.Close()
	var out []records.PublishedDataset
	for rows.Next() {
		var (
			d          records.PublishedDataset
			asOf, publ int64
		)
		if err := rows.Scan(&d.Kind, &d.Version, &asOf, &d.SHA256, &d.Size, &publ); err != nil {
			return nil, fmt.Errorf("sqlitestore: published reference: %w", err)
		}
		d.AsOf, d.PublishedAt = time.Unix(0, asOf).UTC(), time.Unix(0, publ).UTC()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: published reference: %w", err)
	}
	return out, nil
}

// PublishedReferenceBody returns the file of dataset kind at version;
// found is false when the server does not keep that version.
func (s *Store) PublishedReferenceBody(ctx context.Context, kind string, version int64) (d records.PublishedDataset, body []byte, found bool, err error) {
	var asOf, publ int64
	err = s.read.QueryRowContext(ctx, `SELECT kind, version, as_of, sha256, size, published_at, body
		FROM repl_reference WHERE kind = ? AND version = ?`, kind, version).
		Scan(&d.Kind, &d.Version, &asOf, &d.SHA256, &d.Size, &publ, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return records.PublishedDataset{}, nil, false, nil
	case err != nil:
		return records.PublishedDataset{}, nil, false, fmt.Errorf("sqlitestore: reference %s version %d: %w", kind, version, err)
	}
	d.AsOf, d.PublishedAt = time.Unix(0, asOf).UTC(), time.Unix(0, publ).UTC()
	return d, body, true, nil
}

// ReferenceVersions returns the loaded version of every reference dataset
// kind (0 when never loaded): what a workstation compares the port server's
// published versions with.
func (s *Store) ReferenceVersions(ctx context.Context) (map[string]int64, error) {
	loaded, err := s.ReferenceStatus(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(loaded))
	for _, d := range loaded {
		out[d.Kind] = d.Version
	}
	return out, nil
}
