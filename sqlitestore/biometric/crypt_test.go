package biometric

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestImagesEncryptedAtRest greps the biometric database file and its -wal
// (where a fresh capture lives until a checkpoint) for a known fragment of
// the image: absent while the capture is stored (encrypted), present in the
// control run with encryption off (so the grep can see an image), and after
// the purge neither the fragment nor the stored ciphertext is left.
func TestImagesEncryptedAtRest(t *testing.T) {
	const marker = "KNOWN-FACE-FRAGMENT-"
	ctx := context.Background()
	grep := func(path string, needle []byte) bool {
		return bytes.Contains(fileBytes(t, path), needle) || bytes.Contains(fileBytes(t, path+"-wal"), needle)
	}
	for _, tc := range []struct {
		name      string
		plaintext bool
	}{{"encrypted", false}, {"control: encryption off", true}} {
		t.Run(tc.name, func(t *testing.T) {
			main := openOwnStore(t)
			b := openBiometric(t, main, Options{plaintext: tc.plaintext})
			if err := b.SaveCapture(ctx, Capture{ID: "cap-1", CrossingID: "X-1", PNG: fakePNG(marker, 64<<10),
				CapturedAt: capT0, Citizenship: CitizenUSC}); err != nil {
				t.Fatal(err)
			}
			var stored []byte
			if err := b.db.QueryRowContext(ctx, `SELECT png FROM captures WHERE id = 'cap-1'`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if found := grep(b.Path(), []byte(marker)); found != tc.plaintext {
				t.Fatalf("image fragment in the files before the purge: %v, want %v", found, tc.plaintext)
			}
			if !grep(b.Path(), stored[1000:1064]) {
				t.Fatal("the stored bytes are not in the files: the grep cannot see a capture at all")
			}
			if c, err := b.Capture(ctx, "cap-1"); err != nil || !bytes.Equal(c.PNG, fakePNG(marker, 64<<10)) {
				t.Fatalf("capture does not read back: %v", err)
			}
			if _, err := b.RunRetention(ctx, capT0.Add(12*time.Hour)); err != nil {
				t.Fatal(err)
			}
			path := b.Path()
			b.Close()
			if grep(path, []byte(marker)) || grep(path, stored[1000:1064]) {
				t.Error("the purged image (plain or encrypted) is still in the files")
			}
		})
	}
}

func TestImageKeyFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "booth.biometric.db")
	b, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := KeyPath(path)
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 || st.Size() != 32 {
		t.Fatalf("key file made at first start: %v, %v", st, err)
	}
	saveCapture(t, b, "c1", CitizenUSC, capT0)
	b.Close()

	for _, tc := range []struct {
		name  string
		setup func(t *testing.T)
		want  string
	}{
		{"readable by others", func(t *testing.T) { chmod(t, key, 0o644) }, "mode 0644"},
		{"group-readable", func(t *testing.T) { chmod(t, key, 0o640) }, "mode 0640"},
		{"wrong size", func(t *testing.T) { write(t, key, []byte("short")) }, "holds 5 bytes"},
		{"missing while images are encrypted with it", func(t *testing.T) { remove(t, key) }, "missing, and 1 stored images are encrypted"},
		{"another key", func(t *testing.T) { write(t, key, bytes.Repeat([]byte{7}, 32)) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig := fileBytes(t, key)
			t.Cleanup(func() { write(t, key, orig) })
			tc.setup(t)
			b, err := Open(ctx, path, Options{})
			if tc.want == "" {
				// A wrong key opens the store but cannot read an image.
				if err != nil {
					t.Fatal(err)
				}
				defer b.Close()
				if _, err := b.Capture(ctx, "c1"); err == nil || !strings.Contains(err.Error(), "does not decrypt") {
					t.Errorf("capture under another key: %v", err)
				}
				return
			}
			if err == nil {
				b.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), key) {
				t.Errorf("err = %v; want ErrKey naming %s and %q", err, key, tc.want)
			}
		})
	}
}

// TestCapturesStoredBeforeEncryption: a store written without encryption
// (as before it existed) is re-encrypted when opened: captures read back,
// nothing is left in plain text in the files.
func TestCapturesStoredBeforeEncryption(t *testing.T) {
	ctx := context.Background()
	const marker = "LEGACY-PLAIN-FACE-"
	path := filepath.Join(t.TempDir(), "booth.biometric.db")
	old, err := Open(ctx, path, Options{plaintext: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := old.SaveCapture(ctx, Capture{ID: id, CrossingID: "X", PNG: fakePNG(marker+id, 32<<10), CapturedAt: capT0, Citizenship: CitizenUSC}); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	if !bytes.Contains(append(fileBytes(t, path), fileBytes(t, path+"-wal")...), []byte(marker)) {
		t.Fatal("legacy store holds no plain image: the test proves nothing")
	}
	b, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c"} {
		c, err := b.Capture(ctx, id)
		if err != nil || !bytes.Equal(c.PNG, fakePNG(marker+id, 32<<10)) {
			t.Errorf("capture %s after re-encryption: %v", id, err)
		}
	}
	var plain int
	if err := b.db.QueryRowContext(ctx, `SELECT count(*) FROM captures WHERE png_enc = 0`).Scan(&plain); err != nil || plain != 0 {
		t.Errorf("%d plain rows left, %v", plain, err)
	}
	b.Close()
	if bytes.Contains(append(fileBytes(t, path), fileBytes(t, path+"-wal")...), []byte(marker)) {
		t.Error("plain image bytes left in the files after re-encryption")
	}
}

func chmod(t *testing.T, p string, m os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, m); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	chmod(t, p, 0o600)
}

func remove(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}
