package officercli

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/sqlitestore"
)

func TestReadPINFromPipe(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "480913\n", want: "480913"},
		{in: "480913\r\n", want: "480913"},
		{in: "480913", want: "480913"},
		{in: "12\n34\n", want: "12"},
		{in: "", err: "no PIN on stdin"},
		{in: "\n", err: "no PIN on stdin"},
		{in: strings.Repeat("9", MaxPINLine) + "\n", err: "line longer than 64 bytes"},
		{in: strings.Repeat("9", MaxPINLine+1), err: "line longer than 64 bytes"},
	} {
		pin, err := ReadPIN(strings.NewReader(tc.in), io.Discard, "B1")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ReadPIN(%q) = %q, %v; want error %q", tc.in, pin, err, tc.err)
			}
			continue
		}
		if err != nil || string(pin) != tc.want {
			t.Errorf("ReadPIN(%q) = %q, %v; want %q", tc.in, pin, err, tc.want)
		}
	}
}

// FuzzReadPIN: whatever is piped in, ReadPIN returns at most one bounded line
// without its line ending, or an error; it never panics.
func FuzzReadPIN(f *testing.F) {
	for _, s := range []string{"480913\n", "480913\r\n", "480913", "", "\n", strings.Repeat("9", 65), "12\n34\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		pin, err := ReadPIN(bytes.NewReader(in), io.Discard, "B1")
		if err != nil {
			return
		}
		if len(pin) == 0 || len(pin) > MaxPINLine || bytes.ContainsAny(pin, "\n") || bytes.HasSuffix(pin, []byte("\r")) {
			t.Errorf("ReadPIN(%q) = %q", in, pin)
		}
	})
}

func TestStatus(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		o    sqlitestore.Officer
		want string
	}{
		{sqlitestore.Officer{}, "active"},
		{sqlitestore.Officer{LockedUntil: now.Add(-time.Minute)}, "active"},
		{sqlitestore.Officer{LockedUntil: now.Add(time.Hour)}, "locked until " + now.Add(time.Hour).Local().Format("2006-01-02 15:04")},
		{sqlitestore.Officer{Disabled: true, LockedUntil: now.Add(time.Hour)}, "disabled"},
	} {
		if got := Status(tc.o, now); got != tc.want {
			t.Errorf("Status(%+v) = %q, want %q", tc.o, got, tc.want)
		}
	}
}

func TestWriteJSONEmptyIsArray(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(b.String()); got != "[]" {
		t.Errorf("WriteJSON(nil) = %q, want []", got)
	}
}
