package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware/simulator"
	"github.com/tarm/serial"
)

// buildDevsim compiles the command once per test binary run.
func buildDevsim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "devsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The binary prints the device paths as one JSON line, serves them and the
// matcher, plays the scenario, and exits 0 on SIGTERM.
func TestBinaryPrintsPathsAndPlays(t *testing.T) {
	bin := buildDevsim(t)
	links := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--scenario", "clean-sentri", "--speed", "20", "--quiet", "--link-dir", links)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read paths: %v\nstderr: %s", err, stderr.String())
	}
	var paths simulator.Paths
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&paths); err != nil {
		t.Fatalf("paths line %q: %v", line, err)
	}
	for name, p := range map[string]string{"doc": paths.Doc, "rfid": paths.RFID, "rpm": paths.RPM, "lpr": paths.LPR} {
		if p != filepath.Join(links, name) {
			t.Errorf("%s path %q, want the link in %s", name, p, links)
		}
	}
	port, err := serial.OpenPort(&serial.Config{Name: paths.LPR, Baud: 115200, ReadTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	// The scenario ends with the plate read.
	var got []byte
	buf := make([]byte, 1024)
	for deadline := time.Now().Add(10 * time.Second); !bytes.Contains(got, []byte("\n")) && time.Now().Before(deadline); {
		n, _ := port.Read(buf)
		got = append(got, buf[:n]...)
	}
	if !bytes.Contains(got, []byte(`"plate":"7ABC123"`)) {
		t.Errorf("lpr sent %q, want the clean-sentri plate", got)
	}
	resp, err := http.Post(paths.Matcher+"/v1/verify", "application/json",
		strings.NewReader(`{"lane":"L1","document":{"number":"561234567","country":"USA"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("matcher: %d", resp.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\nstderr: %s", err, stderr.String())
	}
	if _, err := os.Lstat(paths.Doc); !os.IsNotExist(err) {
		t.Errorf("link %s left behind: %v", paths.Doc, err)
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--fault", "fire"}, `--fault "fire"`},
		{[]string{"--speed", "0"}, "--speed 0"},
		{[]string{"--scenario", "no-such-thing"}, "neither a built-in scenario"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--nope"}, "flag provided but not defined"},
		{[]string{"--biometric-cert", "s.crt"}, "go together"},
		{[]string{"--biometric-cert", "s.crt", "--biometric-key", "s.key"}, "go together"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"name":"b","steps":[{"wait":"x"}]}`), 0o644)
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"--scenario", bad}, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), bad) {
		t.Errorf("bad file: exit %d, %q", code, stderr.String())
	}
}

func TestList(t *testing.T) {
	var stdout bytes.Buffer
	if code := run(context.Background(), []string{"--list"}, &stdout, &bytes.Buffer{}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"clean-sentri", "imposter", "multi-occupant", "garbage", "bad-bcc", "overlong"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--list lacks %s", want)
		}
	}
}
