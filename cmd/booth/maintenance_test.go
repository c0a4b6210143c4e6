package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunActions(t *testing.T) {
	var got []string
	actions := map[string]func([]string) int{
		"run":    func(args []string) int { got = args; return 0 },
		"verify": func([]string) int { return 1 },
	}
	tests := []struct {
		name       string
		args       []string
		code       int
		out, err   string
		wantCalled []string
	}{
		{"missing action", nil, 2, "", "thing: missing action (run, verify)", nil},
		{"unknown action", []string{"frob"}, 2, "", `thing: unknown action "frob"`, nil},
		{"help", []string{"-h"}, 0, "usage: booth thing", "", nil},
		{"action with its args", []string{"run", "--now", "T"}, 0, "", "", []string{"--now", "T"}},
		{"action's own exit code", []string{"verify"}, 1, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			var stdout, stderr bytes.Buffer
			code := runActions("thing", "usage: booth thing", tt.args, &stdout, &stderr, actions)
			if code != tt.code || !strings.Contains(stdout.String(), tt.out) || !strings.Contains(stderr.String(), tt.err) {
				t.Errorf("code %d stdout %q stderr %q", code, stdout.String(), stderr.String())
			}
			if strings.Join(got, " ") != strings.Join(tt.wantCalled, " ") {
				t.Errorf("action got %q, want %q", got, tt.wantCalled)
			}
		})
	}
}
