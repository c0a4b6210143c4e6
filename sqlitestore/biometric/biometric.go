package biometric

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/sqlitestore/internal/diskfull"
	"github.com/portofentry/booth/sqlitestore/internal/schema"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// CitizenshipStatus is what the booth knows of a captured person's
// citizenship, which decides how long the capture may be kept.
type CitizenshipStatus string

// Citizenship statuses of a capture. Unknown is treated as a US citizen's.
const (
	CitizenUSC     CitizenshipStatus = "usc"
	CitizenNonUSC  CitizenshipStatus = "non_usc"
	CitizenUnknown CitizenshipStatus = "unknown"
)

// Default retention (docs/design.md §6.4): a US citizen's (or not yet established)
// capture is deleted 12 hours after capture; a non-citizen's is kept at most
// 14 days.
const (
	DefaultUSCRetention    = 12 * time.Hour
	DefaultNonUSCRetention = 14 * 24 * time.Hour
)

// busyTimeoutMS is how long a connection waits for a lock held by another
// (the retention command while the booth runs) before failing.
const busyTimeoutMS = 5000

// The times a capture can carry: stored as int64 unix nanoseconds.
var (
	minTime = time.Unix(0, -1<<63).UTC()
	maxTime = time.Unix(0, 1<<63-1).UTC()
)

// maxFieldLen bounds ids and references, as the crossing record does.
const maxFieldLen = 128

// checkField refuses over-long values and control characters in an id or
// reference that ends up in logs and audit entries.
func checkField(name, v string) error {
	if len(v) > maxFieldLen {
		return fmt.Errorf("%s is %d bytes, longer than %d", name, len(v), maxFieldLen)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return fmt.Errorf("%s %q contains a control or invalid character", name, v)
		}
	}
	return nil
}

// MaxCaptureBytes bounds one stored face image.
const MaxCaptureBytes = 8 << 20

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// Biometric store errors.
var (
	ErrCaptureNotFound = errors.New("capture not found")
	ErrInvalidCapture  = errors.New("invalid capture")
	// ErrNotForwardable is returned by MarkForwarded for a capture that is
	// not known to be a non-citizen's: a US citizen's capture never leaves
	// the booth.
	ErrNotForwardable = errors.New("capture may not be forwarded")
)

// Auditor appends an audit entry; *sqlitestore.Store is one.
type Auditor interface {
	Audit(ctx context.Context, e sqlitestore.AuditEntry) error
}

// Options configures OpenBiometric.
type Options struct {
	Logger *slog.Logger
	// USCRetention and NonUSCRetention override the defaults (tests and
	// configured overrides); zero means the default.
	USCRetention    time.Duration
	NonUSCRetention time.Duration
	// Audit receives one purge entry per deleted capture. Required by
	// RunRetention.
	Audit Auditor
	// OnPurge, when set, is called for each purge after it is audited and
	// before it is forgotten (e.g. to append a records.BiometricPurged event
	// with Purge.ID as the event id). An error keeps the purge pending and it
	// is handed on again by the next RunRetention, so OnPurge must be
	// idempotent by Purge.ID.
	OnPurge func(ctx context.Context, p Purge) error
	// KeyFile is the image key (32 bytes, mode 0600); empty means
	// KeyPath(path). A missing key is created while the store holds no
	// encrypted image (its first start, or a store from before encryption);
	// missing while encrypted images exist, readable by others, or of the
	// wrong size, it is an error naming the file.
	KeyFile string
	// OnForward, when set, is called for each forward to the biometric
	// system after it is audited and before it is forgotten (RecordForwards
	// appends the biometric.forwarded event, with Forward.ID as its id). An
	// error keeps it pending for the next ForwardDue, so it must be
	// idempotent by Forward.ID.
	OnForward func(ctx context.Context, f Forward) error
	// ForwardRetry is the wait after a first failed forward, doubled after
	// each further failure up to ForwardRetryMax; zero means 30 s and 1 h.
	ForwardRetry    time.Duration
	ForwardRetryMax time.Duration

	// plaintext stores new images unencrypted: only for the test that
	// proves the at-rest test can see an image.
	plaintext bool
}

// Store holds face captures in their own SQLite file, apart from
// the crossing record (docs/design.md §6.4). Deleted images are overwritten
// (secure_delete) and their pages returned to the file system (incremental
// vacuum), so a purged image cannot be recovered from the file.
type Store struct {
	db   *sql.DB // one connection: writes are rare and small
	path string
	opts Options
	log  *slog.Logger
	full *diskfull.Log // logs disk-full failures once a minute
	seal *sealer
}

// Capture is one face capture.
type Capture struct {
	ID          string // the matcher's capture id
	CrossingID  string
	Document    records.DocumentRef
	PNG         []byte
	CapturedAt  time.Time
	Citizenship CitizenshipStatus
	// ForwardedAt and BiometricRef are set once a non-citizen's capture was
	// forwarded to the biometric system.
	ForwardedAt  time.Time
	BiometricRef string
}

// Path is the biometric store file that goes with the database at dbPath:
// booth.db -> booth.biometric.db.
func Path(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".biometric.db"
}

// OpenBiometric opens (creating with owner-only permissions if needed) the
// biometric store at path.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("biometric: open biometric store: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("biometric: open biometric store %s: %w", path, err)
	}
	if opts.USCRetention <= 0 {
		opts.USCRetention = DefaultUSCRetention
	}
	if opts.NonUSCRetention <= 0 {
		opts.NonUSCRetention = DefaultNonUSCRetention
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	// SQLite gives the -wal and -shm files the database file's mode, so
	// creating it 0600 keeps every file of the store private.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("biometric: open biometric store %s: %w", abs, err)
	}
	f.Close()

	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "auto_vacuum(INCREMENTAL)") // before the first table: lets purges shrink the file
	q.Add("_pragma", "secure_delete(1)")         // overwrite deleted content with zeros
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}).String())
	if err != nil {
		return nil, fmt.Errorf("biometric: open biometric store %s: %w", abs, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ms, err := schema.Load(migrationFS, "migrations")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("biometric: %w", err)
	}
	if _, err := schema.Apply(ctx, db, ms); err != nil {
		db.Close()
		return nil, fmt.Errorf("biometric: open biometric store %s: %w", abs, err)
	}
	if opts.ForwardRetry <= 0 {
		opts.ForwardRetry = defaultForwardRetry
	}
	if opts.ForwardRetryMax <= 0 {
		opts.ForwardRetryMax = defaultForwardRetryMax
	}
	b := &Store{db: db, path: abs, opts: opts, log: log.With("db", abs)}
	b.full = diskfull.NewLog(b.log, nil)
	if err := b.loadKey(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("biometric: open biometric store %s: %w", abs, err)
	}
	if err := b.encryptLegacy(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("biometric: open biometric store %s: %w", abs, err)
	}
	return b, nil
}

// Path is the absolute path of the biometric store file.
func (b *Store) Path() string { return b.path }

// Close closes the store.
func (b *Store) Close() error {
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("biometric: close biometric store: %w", err)
	}
	return nil
}

// SaveCapture stores a face capture. An empty Citizenship is stored as
// unknown (treated as a US citizen's until established).
func (b *Store) SaveCapture(ctx context.Context, c Capture) (err error) {
	defer func() { err = b.written("save capture", err) }()
	if c.Citizenship == "" {
		c.Citizenship = CitizenUnknown
	}
	if err := validateCapture(c); err != nil {
		return fmt.Errorf("biometric: save capture %q: %w", c.ID, err)
	}
	doc := sqlitestore.NormalizeDocumentRef(c.Document)
	img, enc := b.seal.seal(c.ID, c.PNG), encAESGCM
	if b.opts.plaintext {
		img, enc = c.PNG, encPlain
	}
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("biometric: save capture %q: %w", c.ID, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	_, err = tx.ExecContext(ctx, `INSERT INTO captures (id, crossing_id, doc_key, png, png_enc, captured_at, citizenship)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, c.CrossingID, doc.Key(), img, enc, c.CapturedAt.UnixNano(), string(c.Citizenship))
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("biometric: save capture %q: %w: id already stored", c.ID, ErrInvalidCapture)
		}
		return fmt.Errorf("biometric: save capture %q: %w", c.ID, err)
	}
	if c.Citizenship == CitizenNonUSC {
		if err := enqueueForward(ctx, tx, c.ID, time.Now()); err != nil {
			return fmt.Errorf("biometric: save capture %q: %w", c.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("biometric: save capture %q: %w", c.ID, err)
	}
	return nil
}

func validateCapture(c Capture) error {
	if c.ID == "" || c.CrossingID == "" {
		return fmt.Errorf("%w: capture id and crossing id are required", ErrInvalidCapture)
	}
	for _, f := range []struct{ name, v string }{{"capture id", c.ID}, {"crossing id", c.CrossingID}} {
		if err := checkField(f.name, f.v); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidCapture, err)
		}
	}
	if len(c.PNG) > MaxCaptureBytes {
		return fmt.Errorf("%w: image is %d bytes, more than %d", ErrInvalidCapture, len(c.PNG), MaxCaptureBytes)
	}
	if !bytes.HasPrefix(c.PNG, pngSignature) {
		return fmt.Errorf("%w: image is not a PNG", ErrInvalidCapture)
	}
	if c.CapturedAt.IsZero() || c.CapturedAt.Before(minTime) || c.CapturedAt.After(maxTime) {
		return fmt.Errorf("%w: capture time missing or out of range", ErrInvalidCapture)
	}
	if !validCitizenship(c.Citizenship) {
		return fmt.Errorf("%w: citizenship must be usc, non_usc or unknown, got %q", ErrInvalidCapture, c.Citizenship)
	}
	return nil
}

func validCitizenship(c CitizenshipStatus) bool {
	return c == CitizenUSC || c == CitizenNonUSC || c == CitizenUnknown
}

// Capture returns the capture with id, image included.
func (b *Store) Capture(ctx context.Context, id string) (Capture, error) {
	var c Capture
	var docKey, cit string
	var captured int64
	var forwarded sql.NullInt64
	var enc int
	err := b.db.QueryRowContext(ctx, `SELECT id, crossing_id, doc_key, png, png_enc, captured_at, citizenship, forwarded_at, biometric_ref
		FROM captures WHERE id = ?`, id).Scan(&c.ID, &c.CrossingID, &docKey, &c.PNG, &enc, &captured, &cit, &forwarded, &c.BiometricRef)
	if errors.Is(err, sql.ErrNoRows) {
		return Capture{}, fmt.Errorf("biometric: capture %q: %w", id, ErrCaptureNotFound)
	}
	if err != nil {
		return Capture{}, fmt.Errorf("biometric: capture %q: %w", id, err)
	}
	if c.PNG, err = b.image(c.ID, c.PNG, enc); err != nil {
		return Capture{}, fmt.Errorf("biometric: capture %q: %w", id, err)
	}
	c.Document.Country, c.Document.Number, _ = strings.Cut(docKey, "/")
	c.CapturedAt = time.Unix(0, captured).UTC()
	c.Citizenship = CitizenshipStatus(cit)
	c.ForwardedAt = decodeTime(forwarded)
	return c, nil
}

// MarkCitizenship records the citizenship established for a capture's
// subject; it changes how long the capture may be kept.
func (b *Store) MarkCitizenship(ctx context.Context, id string, status CitizenshipStatus) (err error) {
	defer func() { err = b.written("mark citizenship", err) }()
	if !validCitizenship(status) {
		return fmt.Errorf("biometric: mark citizenship of %q: %w: status must be usc, non_usc or unknown, got %q", id, ErrInvalidCapture, status)
	}
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("biometric: mark citizenship of %q: %w", id, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	// Leaving non_usc takes the capture out of the forward queue (trigger).
	res, err := tx.ExecContext(ctx, `UPDATE captures SET citizenship = ? WHERE id = ?`, string(status), id)
	if err != nil {
		return fmt.Errorf("biometric: mark citizenship of %q: %w", id, err)
	}
	if err := captureRowAffected(res, id); err != nil {
		return err
	}
	if status == CitizenNonUSC {
		if err := enqueueForward(ctx, tx, id, time.Now()); err != nil {
			return fmt.Errorf("biometric: mark citizenship of %q: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("biometric: mark citizenship of %q: %w", id, err)
	}
	return nil
}

// MarkForwarded records that a non-citizen's capture was forwarded to the
// biometric system under biometricRef. It refuses (ErrNotForwardable) a
// capture whose citizenship is usc or unknown.
func (b *Store) MarkForwarded(ctx context.Context, id, biometricRef string, at time.Time) (err error) {
	defer func() { err = b.written("mark forwarded", err) }()
	if biometricRef == "" || checkField("biometric ref", biometricRef) != nil {
		return fmt.Errorf("biometric: mark %q forwarded: %w: biometric ref must be a short printable string", id, ErrInvalidCapture)
	}
	var cit string
	err = b.db.QueryRowContext(ctx, `SELECT citizenship FROM captures WHERE id = ?`, id).Scan(&cit)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("biometric: mark %q forwarded: %w", id, ErrCaptureNotFound)
	}
	if err != nil {
		return fmt.Errorf("biometric: mark %q forwarded: %w", id, err)
	}
	if CitizenshipStatus(cit) != CitizenNonUSC {
		return fmt.Errorf("biometric: mark %q forwarded: %w: citizenship is %s", id, ErrNotForwardable, cit)
	}
	res, err := b.db.ExecContext(ctx, `UPDATE captures SET forwarded_at = ?, biometric_ref = ? WHERE id = ? AND citizenship = 'non_usc'`,
		at.UnixNano(), biometricRef, id)
	if err != nil {
		return fmt.Errorf("biometric: mark %q forwarded: %w", id, err)
	}
	if err := captureRowAffected(res, id); err != nil {
		return err
	}
	if _, err := b.db.ExecContext(ctx, `DELETE FROM forward_queue WHERE capture_id = ?`, id); err != nil {
		return fmt.Errorf("biometric: mark %q forwarded: %w", id, err)
	}
	return nil
}

// written records the outcome of a write named op, as Store.written does
// for the main database: disk-full failures are marked ErrDiskFull and
// logged at most once a minute until a write succeeds.
func (b *Store) written(op string, err error) error {
	switch {
	case err == nil:
		b.full.Succeeded()
	case diskfull.Is(err):
		err = diskfull.Wrap(err)
		b.full.Failed(op, err)
	}
	return err
}

func captureRowAffected(res sql.Result, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("biometric: capture %q: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("biometric: capture %q: %w", id, ErrCaptureNotFound)
	}
	return nil
}

// isUniqueViolation reports a UNIQUE or PRIMARY KEY constraint failure.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// encodeTime stores t as unix nanoseconds, NULL for the zero time.
func encodeTime(t time.Time) (sql.NullInt64, error) {
	if t.IsZero() {
		return sql.NullInt64{}, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return sql.NullInt64{}, fmt.Errorf("time %s outside the storable range", t)
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}, nil
}

// decodeTime is encodeTime's inverse.
func decodeTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}
