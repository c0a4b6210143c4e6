package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/sqlitestore/biometric"
)

// Private files (docs/security.md): the databases hold PII and PIN
// verifiers, the peppers and the key unlock them, the log names officers.
// Every one is created 0600 and its directory 0700, and at start a looser
// existing one stops the booth with an error naming it, unless the operator
// passes --fix-permissions.

// The process creates everything private: SQLite makes its -wal and -shm
// files with the database's mode, and the log and pepper files are opened
// 0600 anyway; the umask covers whatever else a library creates.
func init() { syscall.Umask(0o077) }

// privateFiles are the files of the workstation that must be readable by
// their owner only. Missing ones are skipped: they will be created 0600.
func privateFiles(cfg Config) []string {
	db := cfg.Database
	bio := biometric.Path(db)
	files := []string{db, db + "-wal", db + "-shm", db + "-journal", bio, bio + "-wal", bio + "-shm", bio + "-journal",
		sqlitestore.WorkstationPepperPath(db), sqlitestore.PortPepperPath(db)}
	if cfg.LogFile != "" {
		files = append(files, cfg.LogFile)
	}
	if cfg.PortServer.Key != "" {
		files = append(files, cfg.PortServer.Key)
	}
	return files
}

// errLoosePermissions is matched by the error of checkPrivateFiles.
var errLoosePermissions = errors.New("readable or writable by others")

// checkPrivateFiles refuses any existing file of files that is not a
// regular file or whose mode gives any permission to group or others. With
// fix it sets such files to 0600 instead and reports each change through
// note. The error names every offending file.
func checkPrivateFiles(files []string, fix bool, note func(string)) error {
	var errs []error
	seen := map[string]bool{}
	for _, f := range files {
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
		errs = append(errs, fmt.Errorf("%s is mode %04o, %w: it must be 0600 (chmod 600 %s, or start once with --fix-permissions)",
			f, perm, errLoosePermissions, f))
	}
	return errors.Join(errs...)
}

// preparePrivateFiles checks the workstation's files (see
// checkPrivateFiles), creates the directories of the database and the log
// 0700 when missing, and makes the workstation pepper (0600) at the first
// start.
func preparePrivateFiles(cfg Config, fix bool, note func(string)) error {
	if err := checkPrivateFiles(privateFiles(cfg), fix, note); err != nil {
		return err
	}
	for _, f := range []string{cfg.Database, cfg.LogFile} {
		if f == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			return fmt.Errorf("directory of %s: %w", f, err)
		}
	}
	if cfg.ReadOnly {
		return nil // a read-only workstation creates nothing
	}
	if _, err := sqlitestore.EnsurePepper(sqlitestore.WorkstationPepperPath(cfg.Database)); err != nil {
		return err
	}
	return createPrivate(cfg.Database)
}

// createPrivate creates the database file empty and 0600 when it does not
// exist yet, so SQLite opens it (and gives its -wal and -shm files its
// mode) instead of creating it with its own default.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}
