// Package actions dispatches a command's actions (`booth officer add`, …).
package actions

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Run dispatches `PROG NAME ACTION ...` to the action's function; -h
// prints usage. A missing or unknown action is a usage error (exit 2) naming
// the program and listing the actions.
func Run(prog, name, usage string, args []string, stdout, stderr io.Writer, actions map[string]func(args []string) int) int {
	usageError := func(format string, a ...any) int {
		fmt.Fprintf(stderr, prog+": "+format+"\n", a...)
		return 2
	}
	names := make([]string, 0, len(actions))
	for a := range actions {
		names = append(names, a)
	}
	slices.Sort(names)
	if len(args) == 0 {
		return usageError("%s: missing action (%s)\n%s", name, strings.Join(names, ", "), usage)
	}
	if run, ok := actions[args[0]]; ok {
		return run(args[1:])
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return 0
	}
	return usageError("%s: unknown action %q\n%s", name, args[0], usage)
}
