package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portofentry/booth/sqlitestore"
)

// newServerState makes a port server's files in dir with the commands
// themselves (in this process): the PKI with the server's and a
// workstation's certificate, and the database with a port account and the
// port pepper.
func newServerState(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{
		{"pki", "init", "--dir", filepath.Join(dir, "pki"), "--port", "2604"},
		{"pki", "issue", "--role", "server", "--dir", filepath.Join(dir, "pki")},
		{"pki", "issue", "--role", "primary", "--workstation", "booth-01", "--dir", filepath.Join(dir, "pki")},
	} {
		if code, _, errs := runPS("", args...); code != 0 {
			t.Fatalf("portserver %s: exit %d, %s", strings.Join(args, " "), code, errs)
		}
	}
	db := filepath.Join(dir, "state", "portserver.db")
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runPS("480913\n", "officer", "add", "--badge", "P1", "--name", "Ana Ruiz", "--role", "primary",
		"--db", db, "--port", "2604"); code != 0 {
		t.Fatalf("officer add: exit %d, %s", code, errs)
	}
}

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return st.Mode().Perm()
}

// TestServerFilesArePrivate: the real binary, under the usual umask 022 of
// its parent, creates every file of a port server 0600 and its directories
// 0700: the PKI keys (`pki init|issue`), the database with its -wal and
// -shm files and the port pepper (`serve`, `officer add`), in a database
// directory serve creates itself.
func TestServerFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022) // inherited by the child; this binary sets its own
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	pki := filepath.Join(dir, "pki")
	db := filepath.Join(dir, "state", "sub", "portserver.db")
	for _, args := range [][]string{
		{"pki", "init", "--dir", pki, "--port", "2604"},
		{"pki", "issue", "--role", "server", "--dir", pki},
		{"pki", "issue", "--role", "secondary", "--workstation", "sec-01", "--dir", pki},
	} {
		if code, _, errs := runBin(t, dir, args...); code != 0 {
			t.Fatalf("portserver %s: exit %d, %s", strings.Join(args, " "), code, errs)
		}
	}
	p := start(t, dir, "serve", "--db", db, "--dir", pki, "--listen", "127.0.0.1:0", "--port", "2604")
	p.waitLine(t, "listening", 20*time.Second)
	// A port account while the server runs (in this process, under umask
	// 022): the pepper is made now.
	if code, _, errs := runPS("480913\n", "officer", "add", "--badge", "P1", "--name", "Ana Ruiz", "--role", "primary", "--db", db); code != 0 {
		t.Fatalf("officer add: exit %d, %s", code, errs)
	}
	for _, f := range []string{db, db + "-wal", db + "-shm", sqlitestore.PortPepperPath(db),
		filepath.Join(pki, "ca.key"), filepath.Join(pki, "server.key"), filepath.Join(pki, "sec-01.key")} {
		if m := modeOf(t, f); m != 0o600 {
			t.Errorf("%s is mode %04o, want 0600", f, m)
		}
	}
	for _, d := range []string{pki, filepath.Dir(db), filepath.Dir(filepath.Dir(db))} {
		if m := modeOf(t, d); m != 0o700 {
			t.Errorf("directory %s is mode %04o, want 0700", d, m)
		}
	}
	// Certificates are public.
	if m := modeOf(t, filepath.Join(pki, "ca.crt")); m != 0o644 {
		t.Errorf("ca.crt is mode %04o, want 0644", m)
	}
	p.kill()
	_ = p.wait(t, 10*time.Second)
}

// TestLooseServerFilesStopTheServer: each private file of the port server
// made readable by others stops `serve` with an error naming the file and
// its mode; `serve --fix-permissions` sets it to 0600, says so and starts.
// The other commands refuse it too.
func TestLooseServerFilesStopTheServer(t *testing.T) {
	for _, name := range []string{"state/portserver.db", "state/portserver.db-wal", "state/portserver.db-shm",
		"state/portserver.db-journal", "state/portserver.port-pepper", "pki/ca.key", "pki/server.key", "pki/booth-01.key"} {
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
			dir := t.TempDir()
			newServerState(t, dir)
			f := filepath.Join(dir, name)
			if _, err := os.Stat(f); os.IsNotExist(err) {
				// Side files of a closed database: as a crash leaves them.
				if err := os.WriteFile(f, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(f, 0o644); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(dir, "state", "portserver.db")
			serve := []string{"serve", "--db", db, "--dir", filepath.Join(dir, "pki"), "--listen", "127.0.0.1:0"}
			code, _, errs := runBin(t, dir, serve...)
			if code != 1 || !strings.Contains(errs, f) || !strings.Contains(errs, "0644") || !strings.Contains(errs, "--fix-permissions") {
				t.Fatalf("serve with a loose %s: exit %d, %q", name, code, errs)
			}
			if m := modeOf(t, f); m != 0o644 {
				t.Fatalf("the refusing serve changed %s to %04o", f, m)
			}
			// The other commands refuse what they read.
			var other []string
			if strings.HasPrefix(name, "pki/") {
				other = []string{"pki", "issue", "--role", "primary", "--workstation", "booth-02", "--dir", filepath.Join(dir, "pki")}
			} else {
				other = []string{"status", "--db", db}
			}
			if code, _, errs := runPS("", other...); code != 1 || !strings.Contains(errs, f) || !strings.Contains(errs, "0644") {
				t.Errorf("portserver %s with a loose %s: exit %d, %q", other[0], name, code, errs)
			}
			if !strings.HasPrefix(name, "pki/") {
				if code, _, errs := runPS("", "officer", "list", "--db", db); code != 1 || !strings.Contains(errs, f) {
					t.Errorf("officer list with a loose %s: exit %d, %q", name, code, errs)
				}
			}

			p := start(t, dir, append(serve, "--fix-permissions")...)
			p.waitLine(t, "listening", 20*time.Second)
			if m := modeOf(t, f); m != 0o600 {
				t.Errorf("--fix-permissions left %s at %04o", f, m)
			}
			if e := p.stderrText(); !strings.Contains(e, f) || !strings.Contains(e, "was mode 0644, now 0600") {
				t.Errorf("--fix-permissions did not say what it changed: %q", e)
			}
			p.kill()
			_ = p.wait(t, 10*time.Second)
		})
	}
}

// TestServerFilesCheck: a directory where a private file should be is
// refused, missing files are not, and every loose file is named at once.
func TestServerFilesCheck(t *testing.T) {
	dir := t.TempDir()
	newServerState(t, dir)
	db := filepath.Join(dir, "state", "portserver.db")
	pki := filepath.Join(dir, "pki")
	if err := checkServerFiles(db, pki, false, nil); err != nil {
		t.Fatalf("fresh files refused: %v", err)
	}
	if err := os.Mkdir(db+"-journal", 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(pki, "ca.key"), 0o640)
	os.Chmod(sqlitestore.PortPepperPath(db), 0o604)
	err := checkServerFiles(db, pki, false, nil)
	for _, want := range []string{db + "-journal is not a regular file", "ca.key is mode 0640", "port-pepper is mode 0604"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v; want it to say %q", err, want)
		}
	}
}
