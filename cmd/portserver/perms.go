package main

import (
	"fmt"
	"path/filepath"
	"syscall"

	"github.com/portofentry/booth/cmd/internal/fileperm"
	"github.com/portofentry/booth/sqlitestore"
)

// Private files (docs/security.md): the server's database holds the port's
// records and every port account's verifier, the port pepper unlocks the
// verifiers, and the PKI keys are the port's identity. Every one is created
// 0600 (directories 0700); a looser existing one stops the command with an
// error naming it, unless `serve --fix-permissions` is given. The server
// logs to stderr only (journald under systemd): it has no log file.

// The process creates everything private: SQLite gives the -wal and -shm
// files the database's mode, peppers and keys are written 0600 anyway; the
// umask covers whatever else a library creates.
func init() { syscall.Umask(0o077) }

// serverPrivateFiles are the port server's files that must be readable by
// their owner only: the database at db with its SQLite side files and its
// port pepper, and, when pkiDir is not "", every key in the PKI directory
// (`*.key`: the CA's, the server's, and workstation keys waiting to
// be installed).
func serverPrivateFiles(db, pkiDir string) []string {
	var files []string
	if db != "" {
		files = append(fileperm.SQLiteFiles(db), sqlitestore.PortPepperPath(db))
	}
	if pkiDir != "" {
		keys, _ := filepath.Glob(filepath.Join(pkiDir, "*.key")) // the pattern is valid
		files = append(files, keys...)
	}
	return files
}

// checkServerFiles refuses (or with fix, sets to 0600 and reports through
// note) any of serverPrivateFiles(db, pkiDir) that group or others may
// access; see fileperm.Check.
func checkServerFiles(db, pkiDir string, fix bool, note func(string)) error {
	if err := fileperm.Check(serverPrivateFiles(db, pkiDir), fix, "`portserver serve --fix-permissions`", note); err != nil {
		return fmt.Errorf("private files: %w", err)
	}
	return nil
}
