package sqlitestore

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Peppers are 32-byte secrets mixed into every PIN verifier. They live in
// files beside the database, never in it, created 0600: a database copied
// on its own (a backup, a replica, a file read through an SQL hole) holds no
// verifier that can be tried offline. The workstation pepper is made at the
// first start and hashes local accounts; the port pepper comes from the port
// server over mutual TLS (at the server it is made at its first start) and
// hashes port accounts.
const pepperLen = 32

// ErrPepper wraps every problem with a pepper file (missing, unreadable,
// readable by others, wrong size).
var ErrPepper = errors.New("pepper file")

// WorkstationPepperPath is where the workstation pepper of the database at
// db lives: booth.db -> booth.pepper.
func WorkstationPepperPath(db string) string { return pepperPath(db, ".pepper") }

// PortPepperPath is where the port pepper is kept beside the database at db:
// booth.db -> booth.port-pepper.
func PortPepperPath(db string) string { return pepperPath(db, ".port-pepper") }

func pepperPath(db, suffix string) string {
	return strings.TrimSuffix(db, filepath.Ext(db)) + suffix
}

// EnsurePepper creates the pepper file at path with a fresh random pepper,
// mode 0600, unless it exists; it returns the pepper. An existing file must
// be private (no group or other permission bits) and hold 32 bytes.
func EnsurePepper(path string) ([]byte, error) {
	p, found, err := readPepper(path)
	if err != nil || found {
		return p, err
	}
	p = make([]byte, pepperLen)
	if _, err := rand.Read(p); err != nil {
		return nil, fmt.Errorf("%w %s: draw: %w", ErrPepper, path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Made meanwhile by another process: use that one.
		p, _, err = readPepper(path)
		return p, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w %s: create: %w", ErrPepper, path, err)
	}
	if _, err := f.Write(p); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("%w %s: write: %w", ErrPepper, path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("%w %s: sync: %w", ErrPepper, path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("%w %s: close: %w", ErrPepper, path, err)
	}
	syncDir(filepath.Dir(path))
	return p, nil
}

// readPepper reads the pepper at path; found is false when there is no file.
func readPepper(path string) (p []byte, found bool, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w %s: %w", ErrPepper, path, err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, true, fmt.Errorf("%w %s: mode %04o lets others read it; it must be 0600 (chmod 600 %s)", ErrPepper, path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, true, fmt.Errorf("%w %s: %w", ErrPepper, path, err)
	}
	if len(b) != pepperLen {
		return nil, true, fmt.Errorf("%w %s: holds %d bytes, want %d", ErrPepper, path, len(b), pepperLen)
	}
	return b, true, nil
}

// writePepper replaces the pepper at path atomically (a 0600 temporary file
// renamed over it), for the port pepper the feed delivers.
func writePepper(path string, p []byte) error {
	if len(p) != pepperLen {
		return fmt.Errorf("%w %s: refusing a pepper of %d bytes, want %d", ErrPepper, path, len(p), pepperLen)
	}
	if old, found, err := readPepper(path); err == nil && found && string(old) == string(p) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("%w %s: %w", ErrPepper, path, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; say so for the reader.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("%w %s: %w", ErrPepper, path, err)
	}
	if _, err := tmp.Write(p); err != nil {
		tmp.Close()
		return fmt.Errorf("%w %s: %w", ErrPepper, path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("%w %s: %w", ErrPepper, path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%w %s: %w", ErrPepper, path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%w %s: %w", ErrPepper, path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a new directory entry durable; best effort.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// workstationPepper is this store's workstation pepper, made on first use
// by a writer; a read-only store only reads it.
func (s *Store) workstationPepper() ([]byte, error) {
	path := WorkstationPepperPath(s.path)
	if s.readOnly || s.write == nil {
		p, found, err := readPepper(path)
		if err == nil && !found {
			err = fmt.Errorf("%w %s: missing", ErrPepper, path)
		}
		return p, err
	}
	return EnsurePepper(path)
}

// portPepper is the port pepper kept beside this database. A workstation
// has it once the feed delivered it; the port server (create) makes it at
// its first start.
func (s *Store) portPepper(create bool) ([]byte, error) {
	path := PortPepperPath(s.path)
	if create && !s.readOnly && s.write != nil {
		return EnsurePepper(path)
	}
	p, found, err := readPepper(path)
	if err == nil && !found {
		err = fmt.Errorf("%w %s: missing (the port server has not delivered it yet)", ErrPepper, path)
	}
	return p, err
}
