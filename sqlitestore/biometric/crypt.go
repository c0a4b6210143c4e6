package biometric

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Face images are encrypted at rest with AES-256-GCM under a 32-byte key
// kept in a file beside the store, mode 0600, never in the database: a copy
// of the store file alone (a backup, a file read through an SQL hole) holds
// no image. Each image is sealed with a fresh 96-bit random nonce and the
// capture id as associated data, so an image cannot be moved to another
// capture's row unnoticed.

// keyLen is the AES-256 key size.
const keyLen = 32

// encAESGCM is captures.png_enc for an encrypted image; encPlain marks an
// image stored before encryption (re-encrypted when the store opens).
const (
	encPlain  = 0
	encAESGCM = 1
)

// aadPrefix versions the associated data.
const aadPrefix = "booth-biometric/1\x00"

// ErrKey wraps every problem with the image key file (missing while
// encrypted images exist, readable by others, wrong size).
var ErrKey = errors.New("biometric key file")

// KeyPath is the image key file of the biometric store at path:
// booth.biometric.db -> booth.biometric.key.
func KeyPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".key"
}

// readKey reads the key at path; found is false when there is no file.
func readKey(path string) (key []byte, found bool, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w %s: %w", ErrKey, path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, true, fmt.Errorf("%w %s: not a regular file", ErrKey, path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, true, fmt.Errorf("%w %s: mode %04o lets others read it; it must be 0600 (chmod 600 %s)", ErrKey, path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, true, fmt.Errorf("%w %s: %w", ErrKey, path, err)
	}
	if len(b) != keyLen {
		return nil, true, fmt.Errorf("%w %s: holds %d bytes, want %d", ErrKey, path, len(b), keyLen)
	}
	return b, true, nil
}

// createKey writes a fresh random key at path, mode 0600, failing if the
// file exists.
func createKey(path string) ([]byte, error) {
	key := make([]byte, keyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("%w %s: draw: %w", ErrKey, path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w %s: create: %w", ErrKey, path, err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("%w %s: write: %w", ErrKey, path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("%w %s: sync: %w", ErrKey, path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("%w %s: close: %w", ErrKey, path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // the new name survives a power cut
		d.Close()
	}
	return key, nil
}

// sealer encrypts and decrypts images under the store's key.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(captureID string, png []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(png)+s.aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never returns an error (Go 1.24+)
	return s.aead.Seal(nonce, nonce, png, []byte(aadPrefix+captureID))
}

func (s *sealer) open(captureID string, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, fmt.Errorf("encrypted image of %s is %d bytes: truncated", captureID, len(sealed))
	}
	png, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(aadPrefix+captureID))
	if err != nil {
		return nil, fmt.Errorf("image of %s does not decrypt with the key (wrong key file, or the row was altered): %w", captureID, err)
	}
	return png, nil
}

// loadKey reads (or, while no encrypted image exists, creates) the image
// key and prepares the sealer.
func (b *Store) loadKey(ctx context.Context) error {
	path := b.opts.KeyFile
	if path == "" {
		path = KeyPath(b.path)
	}
	key, found, err := readKey(path)
	if err != nil {
		return err
	}
	if !found {
		var n int
		if err := b.db.QueryRowContext(ctx, `SELECT count(*) FROM captures WHERE png_enc != 0`).Scan(&n); err != nil {
			return fmt.Errorf("count encrypted images: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%w %s: missing, and %d stored images are encrypted with it: restore the key file (a new key cannot read them)", ErrKey, path, n)
		}
		if key, err = createKey(path); err != nil {
			return err
		}
		b.log.Info("biometric image key created", "file", path)
	}
	b.seal, err = newSealer(key)
	return err
}

// encryptLegacy encrypts, in place, images stored before encryption, and
// then makes their plain bytes unrecoverable as a purge does.
func (b *Store) encryptLegacy(ctx context.Context) error {
	if b.opts.plaintext {
		return nil
	}
	done := 0
	for {
		rows, err := b.db.QueryContext(ctx, `SELECT id, png FROM captures WHERE png_enc = 0 LIMIT 64`)
		if err != nil {
			return fmt.Errorf("find plain images: %w", err)
		}
		type plain struct {
			id  string
			png []byte
		}
		var batch []plain
		for rows.Next() {
			var p plain
			if err := rows.Scan(&p.id, &p.png); err != nil {
				rows.Close()
				return fmt.Errorf("read plain image: %w", err)
			}
			batch = append(batch, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read plain images: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		tx, err := b.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("encrypt images: %w", err)
		}
		for _, p := range batch {
			if _, err := tx.ExecContext(ctx, `UPDATE captures SET png = ?, png_enc = 1 WHERE id = ? AND png_enc = 0`,
				b.seal.seal(p.id, p.png), p.id); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("encrypt image of %s: %w", p.id, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("encrypt images: %w", err)
		}
		done += len(batch)
	}
	if done > 0 {
		if err := b.reclaim(ctx); err != nil {
			return err
		}
		b.log.Info("biometric images stored before encryption are now encrypted", "count", done)
	}
	return nil
}

// image returns the PNG of a stored row.
func (b *Store) image(id string, stored []byte, enc int) ([]byte, error) {
	switch enc {
	case encPlain:
		return stored, nil
	case encAESGCM:
		return b.seal.open(id, stored)
	}
	return nil, fmt.Errorf("image of %s: unknown encoding %d", id, enc)
}
