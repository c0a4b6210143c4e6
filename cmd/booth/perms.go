package main

import (
	"fmt"
	"path/filepath"
	"syscall"

	"github.com/portofentry/booth/cmd/internal/fileperm"
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
	files := append(fileperm.SQLiteFiles(db), fileperm.SQLiteFiles(bio)...)
	files = append(files, biometric.KeyPath(bio), sqlitestore.WorkstationPepperPath(db), sqlitestore.PortPepperPath(db))
	if cfg.LogFile != "" {
		files = append(files, cfg.LogFile)
	}
	if cfg.PortServer.Key != "" {
		files = append(files, cfg.PortServer.Key)
	}
	return files
}

// checkPrivateFiles refuses any existing file of files that is not a
// regular file or whose mode gives any permission to group or others. With
// fix it sets such files to 0600 instead and reports each change through
// note. The error names every offending file and matches fileperm.ErrLoose.
func checkPrivateFiles(files []string, fix bool, note func(string)) error {
	return fileperm.Check(files, fix, "--fix-permissions", note)
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
		if err := fileperm.MkdirPrivate(filepath.Dir(f)); err != nil {
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
func createPrivate(path string) error { return fileperm.CreatePrivate(path) }
