package actions

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	table := func(got *[]string) map[string]func([]string) int {
		return map[string]func([]string) int{
			"add":  func(args []string) int { *got = args; return 0 },
			"list": func([]string) int { return 1 },
		}
	}
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		out, err   string
		passedArgs []string
	}{
		{"action with its arguments", []string{"add", "--badge", "B1"}, 0, "", "", []string{"--badge", "B1"}},
		{"action's own exit code", []string{"list"}, 1, "", "", nil},
		{"missing action lists them sorted", nil, 2, "", "hub: officer: missing action (add, list)\nUSAGE", nil},
		{"unknown action", []string{"frob"}, 2, "", `hub: officer: unknown action "frob"`, nil},
		{"help on stdout", []string{"-h"}, 0, "USAGE", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var out, errb bytes.Buffer
			code := Run("hub", "officer", "USAGE", tc.args, &out, &errb, table(&got))
			if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), tc.code, tc.out, tc.err)
			}
			if strings.Join(got, " ") != strings.Join(tc.passedArgs, " ") {
				t.Errorf("action got %q, want %q", got, tc.passedArgs)
			}
		})
	}
}
