package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/portofentry/booth/cmd/internal/testbin"
)

// buildBooth compiles the booth binary once per test run.
func buildBooth(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	return testbin.Build(t, "booth")
}

// fakePort is a pty behind a symlink, as /dev/serial/by-id would be.
func fakePort(t *testing.T, name string) (link string, master *os.File) {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	link = filepath.Join(t.TempDir(), name)
	if err := os.Symlink(s.Name(), link); err != nil {
		t.Fatal(err)
	}
	return link, m
}

// lines streams the command's stdout as parsed JSON objects.
func jsonLines(t *testing.T, r *bufio.Scanner) <-chan map[string]any {
	ch := make(chan map[string]any, 64)
	go func() {
		defer close(ch)
		for r.Scan() {
			var obj map[string]any
			if err := json.Unmarshal(r.Bytes(), &obj); err != nil {
				obj = map[string]any{"unparsable": r.Text()}
			}
			ch <- obj
		}
	}()
	return ch
}

func waitLine(t *testing.T, ch <-chan map[string]any, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.After(10 * time.Second)
	var seen []map[string]any
	for {
		select {
		case obj, ok := <-ch:
			if !ok {
				t.Fatalf("output ended; saw %v", seen)
			}
			if _, bad := obj["unparsable"]; bad {
				t.Fatalf("not JSON: %q", obj["unparsable"])
			}
			for _, k := range []string{"device", "kind", "at"} {
				if _, ok := obj[k]; !ok {
					t.Errorf("line without %q: %v", k, obj)
				}
			}
			if _, err := time.Parse(time.RFC3339Nano, obj["at"].(string)); err != nil {
				t.Errorf("at: %v", err)
			}
			if match(obj) {
				return obj
			}
			seen = append(seen, obj)
		case <-deadline:
			t.Fatalf("no matching line; saw %v", seen)
		}
	}
}

func is(device, kind string) func(map[string]any) bool {
	return func(o map[string]any) bool { return o["device"] == device && o["kind"] == kind }
}

func TestDevicesJSONEndToEnd(t *testing.T) {
	bin := buildBooth(t)
	docLink, doc := fakePort(t, "usb-doc")
	rfidLink, rfidMaster := fakePort(t, "usb-rfid")

	cmd := exec.Command(bin, "devices", "--json", "--doc", docLink, "--rfid", rfidLink, "--for", "1m")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	out := jsonLines(t, bufio.NewScanner(stdout))

	connected := map[string]bool{}
	for len(connected) < 2 {
		o := waitLine(t, out, func(o map[string]any) bool { return o["kind"] == "status" && o["state"] == "connected" })
		connected[o["device"].(string)] = true
	}

	doc.Write([]byte("p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\r\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\r\n"))
	o := waitLine(t, out, is("doc", "document"))
	mrz, _ := o["mrz"].(map[string]any)
	if mrz["format"] != "TD3" || mrz["document_number"] != "L898902C3" || mrz["valid"] != true || mrz["surname"] != "ERIKSSON" {
		t.Errorf("document mrz = %v", mrz)
	}
	if raw, _ := o["raw"].([]any); len(raw) != 2 || raw[0] != "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<" {
		t.Errorf("document raw = %v", o["raw"])
	}

	rfidMaster.Write([]byte("Tag:e200 3411 b802 0115 1612 1234, Disc:2026/11/25 10:49:35, Last:2026/11/25 10:49:36, Count:3, Ant:2, RSSI:-52\r\n"))
	o = waitLine(t, out, is("rfid", "tag"))
	if o["epc"] != "E2003411B802011516121234" || o["antenna"] != 2.0 || o["rssi"] != -52.0 {
		t.Errorf("tag = %v", o)
	}

	rfidMaster.Write([]byte("NOT-AN-EPC,1,-40\r\n"))
	o = waitLine(t, out, is("rfid", "error"))
	if o["raw"] != "NOT-AN-EPC,1,-40" || !strings.Contains(o["error"].(string), "EPC") {
		t.Errorf("error = %v", o)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for range out {
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGINT: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("booth devices did not stop on SIGINT")
	}
}

func TestDevicesForElapses(t *testing.T) {
	bin := buildBooth(t)
	missing := filepath.Join(t.TempDir(), "not-plugged")
	start := time.Now()
	out, err := exec.Command(bin, "devices", "--json", "--rpm", missing, "--for", "300ms").Output()
	if err != nil {
		t.Fatalf("exit: %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("--for 300ms took %v", took)
	}
	var o map[string]any
	if err := json.Unmarshal(bytes.SplitN(out, []byte("\n"), 2)[0], &o); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if o["device"] != "rpm" || o["kind"] != "status" || o["state"] != "disconnected" || !strings.Contains(o["detail"].(string), "no such file") {
		t.Errorf("first line = %v", o)
	}
}

func TestDevicesUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--json"}, "no device given"},
		{[]string{"--doc", "/dev/x", "--doc-baud", "12345"}, "baud 12345"},
		{[]string{"--doc", "/dev/x", "--doc-framing", "9Q1"}, "--doc-framing"},
		{[]string{"--doc", "/dev/x", "--doc-bcc", "maybe"}, "--doc-bcc"},
		{[]string{"--doc", "/dev/x", "--for", "-1s"}, "--for"},
		{[]string{"--doc", "/dev/x", "extra"}, "unexpected argument"},
		{[]string{"--printer", "/dev/x"}, "flag provided but not defined"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"devices"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
			t.Errorf("%v: code %d, stderr %q, stdout %q; want 2 and %q", tc.args, code, stderr.String(), stdout.String(), tc.want)
		}
	}
}

func TestDevicesTextOutput(t *testing.T) {
	link, m := fakePort(t, "usb-rfid")
	var stdout, stderr bytes.Buffer
	go func() {
		time.Sleep(300 * time.Millisecond)
		m.Write([]byte("E2003411B802011516121234,1,-52\r\n"))
	}()
	if code := run([]string{"devices", "--rfid", link, "--for", "1s"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("code %d: %s", code, stderr.String())
	}
	for _, want := range []string{"rfid status    connected", "rfid tag       epc=E2003411B802011516121234 antenna=1 rssi=-52"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}
