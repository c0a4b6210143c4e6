// Package fileperm keeps the commands' private files private: databases and
// their SQLite side files, peppers, TLS keys and logs hold PII, PIN
// verifiers or what unlocks them, so they are created 0600 (their
// directories 0700) and a looser existing file stops the program with an
// error naming it, unless the operator asks to fix it (docs/security.md,
// "Private files"). The booth and the port server share these rules.
package fileperm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrLoose is matched by the error Check returns for a file that grants a
// permission to group or others.
var ErrLoose = errors.New("readable or writable by others")

// SQLiteFiles are the files of the SQLite database at db: the database and
// its -wal, -shm and -journal files.
func SQLiteFiles(db string) []string {
	return []string{db, db + "-wal", db + "-shm", db + "-journal"}
}

// Check refuses any existing file of files that is not a regular file or
// whose mode gives any permission to group or others. Missing files are
// skipped (they will be created 0600). With fix it sets such files to 0600
// instead and reports each change through note (nil: silently). The error
// names every offending file, its mode and how to fix it; fixFlag is the
// flag that fixes it (e.g. "--fix-permissions"), "" when the command has
// none.
func Check(files []string, fix bool, fixFlag string, note func(string)) error {
	var errs []error
	seen := map[string]bool{}
	for _, f := range files {
		if f == "" {
			continue
		}
		abs, err := filepath.Abs(f)
		if err != nil || seen[abs] {
			continue
		}
		seen[abs] = true
		st, err := os.Stat(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		if !st.Mode().IsRegular() {
			errs = append(errs, fmt.Errorf("%s is not a regular file", f))
			continue
		}
		perm := st.Mode().Perm()
		if perm&0o077 == 0 {
			continue
		}
		if fix {
			if err := os.Chmod(f, 0o600); err != nil {
				errs = append(errs, fmt.Errorf("%s: set mode 0600: %w", f, err))
				continue
			}
			if note != nil {
				note(fmt.Sprintf("%s was mode %04o, now 0600", f, perm))
			}
			continue
		}
		how := "chmod 600 " + f
		if fixFlag != "" {
			how += ", or start once with " + fixFlag
		}
		errs = append(errs, fmt.Errorf("%s is mode %04o, %w: it must be 0600 (%s)", f, perm, ErrLoose, how))
	}
	return errors.Join(errs...)
}

// CreatePrivate creates the file at path empty and 0600 when it does not
// exist yet. For a database this comes before SQLite opens it, so SQLite
// gives its -wal and -shm files the same mode instead of its own default.
func CreatePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}

// MkdirPrivate creates the directory dir and its missing parents 0700.
// Directories that exist already are left as they are.
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create directory %s: %w", dir, err)
	}
	return nil
}
