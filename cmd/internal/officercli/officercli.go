// Package officercli holds what `booth officer` and `portserver officer`
// share: reading a new officer's PIN (never from the command line) and
// printing an account list. The two commands manage different accounts
// (a workstation's local ones, the port's) with their own flags and
// messages; these are the parts that must behave the same in both.
package officercli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/portofentry/booth/sqlitestore"
)

// MaxPINLine bounds what is read from a non-terminal stdin for the PIN.
const MaxPINLine = 64

// ReadPIN reads a new officer's PIN: from a terminal without echo, twice
// (prompting on stderr with badge); otherwise the first line of stdin,
// without its line ending. The caller clears the returned bytes when done.
func ReadPIN(stdin io.Reader, stderr io.Writer, badge string) ([]byte, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprintf(stderr, "PIN for %s (%d-%d digits): ", badge, sqlitestore.MinPINLen, sqlitestore.MaxPINLen)
		pin, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(stderr)
		if err != nil {
			return nil, fmt.Errorf("read PIN: %w", err)
		}
		fmt.Fprint(stderr, "Repeat the PIN: ")
		again, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(stderr)
		defer clear(again)
		if err != nil {
			clear(pin)
			return nil, fmt.Errorf("read PIN: %w", err)
		}
		if string(pin) != string(again) {
			clear(pin)
			return nil, errors.New("the two PINs differ")
		}
		return pin, nil
	}
	r := bufio.NewReaderSize(io.LimitReader(stdin, MaxPINLine+1), MaxPINLine+1)
	line, err := r.ReadSlice('\n')
	if len(line) > MaxPINLine || errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read PIN from stdin: line longer than %d bytes", MaxPINLine)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read PIN from stdin: %w", err)
	}
	pin := []byte(strings.TrimRight(string(line), "\r\n"))
	clear(line)
	if len(pin) == 0 {
		return nil, errors.New("no PIN on stdin (pipe it in, or run from a terminal to be asked)")
	}
	return pin, nil
}

// Status is an account's state for the list's STATUS column at now:
// disabled, locked until a local time, or active.
func Status(o sqlitestore.Officer, now time.Time) string {
	switch {
	case o.Disabled:
		return "disabled"
	case now.Before(o.LockedUntil):
		return "locked until " + o.LockedUntil.Local().Format("2006-01-02 15:04")
	}
	return "active"
}

// WriteJSON prints list as an indented JSON array ([] when empty, never
// null, so scripts can iterate it).
func WriteJSON(w io.Writer, list []sqlitestore.Officer) error {
	if list == nil {
		list = []sqlitestore.Officer{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}
