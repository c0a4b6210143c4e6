package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// designSpecimen is the input of the docs/design.md §4.6 example and designJSON its
// output, verbatim.
const (
	designSpecimen = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"
	designJSON     = `{"format":"TD3","valid":true,"document_code":"P","issuing_state":"UTO","issuing_state_iso":"UTO",
 "document_number":"L898902C3","nationality":"UTO","nationality_iso":"UTO","birth_date":"1974-08-12",
 "sex":"F","expiry_date":"2012-04-15","surname":"ERIKSSON","given_names":"ANNA MARIA",
 "optional_data":"ZE184226B","checks":{"document_number":true,"birth_date":true,"expiry_date":true,
 "personal_number":true,"composite":true},"warnings":["expired"],"errors":[]}`
)

// unknownStateDoc is a passport whose MRZ is right but whose issuing state,
// ASU, is no ICAO 9303 code (one of the documents of issue 8).
const unknownStateDoc = "P<ASUFLORES<<ANA<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nAB12345671PRY8506128F3106110<<<<<<<<<<<<<<<0\n"

// assertUnknownState checks that out reports a valid document with the
// unknown_state_code warning.
func assertUnknownState(t *testing.T, out []byte) {
	t.Helper()
	var m struct {
		Valid        bool     `json:"valid"`
		IssuingState string   `json:"issuing_state"`
		Warnings     []string `json:"warnings"`
		Errors       []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("stdout is not JSON: %v: %q", err, out)
	}
	if !m.Valid || len(m.Errors) != 0 || m.IssuingState != "ASU" || !slices.Contains(m.Warnings, "unknown_state_code") {
		t.Errorf("got %+v; want a valid ASU document warned unknown_state_code", m)
	}
}

// assertDesignJSON checks that out is one JSON object and a newline, with
// exactly the keys and values of docs/design.md §4.6.
func assertDesignJSON(t *testing.T, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("}\n")) || bytes.Count(out, []byte("\n")) != 1 {
		t.Errorf("stdout is not one JSON line: %q", out)
	}
	var got, want map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("stdout is not JSON: %v: %q", err, out)
	}
	if err := json.Unmarshal([]byte(designJSON), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("output differs from docs/design.md §4.6\n got: %v\nwant: %v", got, want)
	}
}

func TestRunMRZDesignExample(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runMRZ(nil, strings.NewReader(designSpecimen), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	assertDesignJSON(t, stdout.Bytes())
	if stderr.Len() != 0 {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestRunMRZUnknownStateCode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runMRZ(nil, strings.NewReader(unknownStateDoc), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	assertUnknownState(t, stdout.Bytes())
	// The design specimen's UTO is a code: no such warning there.
	stdout.Reset()
	runMRZ(nil, strings.NewReader(designSpecimen), &stdout, &stderr)
	if strings.Contains(stdout.String(), "unknown_state_code") {
		t.Errorf("UTO specimen warned: %s", stdout.String())
	}
}

func TestRunMRZ(t *testing.T) {
	badCheck := strings.Replace(designSpecimen, "F1204159", "F1204158", 1)
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stdout     string // substring; "" means stdout must be empty
		stderr     string // substring; "" means stderr must be empty
		validFalse bool
	}{
		{name: "noisy reader output", stdin: "\x02" + strings.ToLower(strings.ReplaceAll(designSpecimen, "\n", "\r")) + "\x03",
			code: 0, stdout: `"document_number":"L898902C3"`},
		{name: "recognised but invalid", stdin: badCheck, code: 0, stdout: `"valid":false`, validFalse: true},
		{name: "TD1", stdin: "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<\n",
			code: 0, stdout: `"format":"TD1"`},
		{name: "not an MRZ", stdin: "hello world\n", code: 2, stderr: "not an MRZ"},
		{name: "empty stdin", stdin: "", code: 2, stderr: "no MRZ characters"},
		{name: "too large", stdin: designSpecimen + strings.Repeat(" ", maxMRZInput), code: 2, stderr: "larger than 64 KiB"},
		{name: "exactly the limit is read", stdin: designSpecimen + strings.Repeat(" ", maxMRZInput-len(designSpecimen)),
			code: 0, stdout: `"valid":true`},
		{name: "help", args: []string{"-h"}, code: 0, stdout: "usage: booth mrz"},
		{name: "unknown flag", args: []string{"--nope"}, code: 2, stderr: "flag provided but not defined"},
		{name: "argument", args: []string{"P<UTO"}, code: 2, stderr: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runMRZ(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			for _, s := range []struct {
				name, got, want string
			}{{"stdout", stdout.String(), tt.stdout}, {"stderr", stderr.String(), tt.stderr}} {
				if s.want == "" && s.got != "" || !strings.Contains(s.got, s.want) {
					t.Errorf("%s = %q, want %q", s.name, s.got, s.want)
				}
			}
			if tt.code == 0 && len(tt.args) == 0 {
				var m map[string]any
				if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
					t.Fatalf("stdout not JSON: %v", err)
				}
				if tt.validFalse && (m["valid"] != false || len(m["errors"].([]any)) == 0) {
					t.Errorf("valid %v errors %v", m["valid"], m["errors"])
				}
			}
		})
	}
}

func TestRunMRZReadError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := runMRZ(nil, iotest.ErrReader(errors.New("device gone")), &stdout, &stderr)
	if code != 1 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "device gone") {
		t.Errorf("exit %d stdout %q stderr %q", code, stdout.String(), stderr.String())
	}
}

// TestMRZBinary builds the real binary and pipes the docs/design.md §4.6 specimen
// through it, as scripts at the port do.
func TestMRZBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the booth binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "booth")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "mrz")
	cmd.Stdin = strings.NewReader(designSpecimen)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("booth mrz: %v, stderr %q", err, stderr.String())
	}
	assertDesignJSON(t, out)

	cmd = exec.Command(bin, "mrz")
	cmd.Stdin = strings.NewReader(unknownStateDoc)
	stderr.Reset()
	cmd.Stderr = &stderr
	if out, err = cmd.Output(); err != nil {
		t.Fatalf("booth mrz on an ASU passport: %v, stderr %q", err, stderr.String())
	}
	assertUnknownState(t, out)

	cmd = exec.Command(bin, "mrz")
	cmd.Stdin = strings.NewReader("not a passport\n")
	stderr.Reset()
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("booth mrz on garbage: err %v, want exit 2", err)
	}
	if len(out) != 0 || !strings.Contains(stderr.String(), "not an MRZ") {
		t.Errorf("stdout %q stderr %q", out, stderr.String())
	}
}
