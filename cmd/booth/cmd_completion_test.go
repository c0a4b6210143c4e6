package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/portofentry/booth/hardware"
)

func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run([]string{"completion", shell}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("booth completion %s = %d: %s", shell, code, errb.String())
	}
	return out.String()
}

// flagLine is how the flag package's PrintDefaults starts a flag.
var flagLine = regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`)

// The table the scripts are generated from matches the real commands: every
// subcommand is in it, and every command's flags are those its -h prints.
func TestCompletionTableMatchesCommands(t *testing.T) {
	var real []string
	for name := range subcommands {
		if !strings.HasPrefix(name, "-") {
			real = append(real, name)
		}
	}
	sort.Strings(real)
	table := names(completionTable.actions)
	sort.Strings(table)
	if !slices.Equal(real, table) {
		t.Fatalf("completion offers commands %v; booth has %v", table, real)
	}
	for _, n := range completionTable.nodes() {
		t.Run("booth "+n.path, func(t *testing.T) {
			args := append(strings.Fields(n.path), "-h")
			var out bytes.Buffer
			run(args, strings.NewReader(""), &out, &out)
			var got []string
			for _, m := range flagLine.FindAllStringSubmatch(out.String(), -1) {
				got = append(got, m[1])
			}
			var want []string
			for _, f := range n.cmd.flags {
				// --version is dispatched before the TUI's flag set.
				if n.path == "" && f.name == "version" {
					continue
				}
				want = append(want, f.name)
			}
			sort.Strings(got)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("completion offers flags %v; -h lists %v\n%s", want, got, out.String())
			}
			for _, a := range n.cmd.actions {
				if n.path == "" {
					break // booth's own commands were checked against the dispatch table
				}
				if !strings.Contains(out.String(), a.name) {
					t.Errorf("action %q is not in the usage:\n%s", a.name, out.String())
				}
			}
			for _, f := range n.cmd.flags {
				if !strings.HasSuffix(f.name, "-framing") {
					continue
				}
				for _, v := range f.values {
					if _, _, _, err := hardware.ParseFraming(v); err != nil {
						t.Errorf("--%s offers %q: %v", f.name, v, err)
					}
				}
			}
		})
	}
}

// TestBashCompletion loads the script into a real bash and asks it to
// complete partial command lines.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	script := filepath.Join(t.TempDir(), "booth.bash")
	if err := os.WriteFile(script, []byte(completionScript(t, "bash")), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	for _, c := range []struct {
		words []string // the command line, the last word being completed
		want  []string
		not   []string
	}{
		{[]string{"booth", ""}, []string{"mrz", "devices", "officer", "audit", "retention", "completion", "--demo", "--version"}, nil},
		{[]string{"booth", "off"}, []string{"officer"}, []string{"mrz"}},
		{[]string{"booth", "officer", ""}, []string{"add", "list", "disable"}, []string{"mrz", "--demo"}},
		{[]string{"booth", "officer", "add", "--r"}, []string{"--role"}, []string{"--badge"}},
		{[]string{"booth", "officer", "add", "--role", ""}, []string{"primary", "secondary", "supervisor"}, []string{"--badge"}},
		{[]string{"booth", "--role", "sec"}, []string{"secondary"}, nil},
		// A flag's value is not a command: booth --config FILE off<TAB>.
		{[]string{"booth", "--config", "booth.toml", "off"}, []string{"officer"}, nil},
		// Bash splits --flag=value at the "=".
		{[]string{"booth", "devices", "--doc-bcc", "=", ""}, []string{"auto", "on", "off"}, nil},
		{[]string{"booth", "devices", "--doc-bcc", "=", "au", ""}, []string{"--json", "--rfid"}, []string{"auto"}},
		{[]string{"booth", "devices", "-rpm-f"}, []string{"--rpm-framing"}, nil},
		{[]string{"booth", "audit", "verify", "--"}, []string{"--config", "--db"}, []string{"--json"}},
		{[]string{"booth", "retention", ""}, []string{"run"}, nil},
		{[]string{"booth", "completion", ""}, []string{"bash", "zsh", "fish"}, nil},
		{[]string{"booth", "mrz", ""}, nil, []string{"officer", "--demo"}},
	} {
		t.Run(strings.Join(c.words, " "), func(t *testing.T) {
			var quoted []string
			for _, w := range c.words {
				quoted = append(quoted, shellQuote(w))
			}
			prog := "source " + shellQuote(script) + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
				"COMP_CWORD=" + strconv.Itoa(len(c.words)-1) + "\n_booth\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
			cmd := exec.Command(bash, "--noprofile", "--norc", "-c", prog)
			cmd.Dir = t.TempDir() // file completion sees an empty directory
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			got := strings.Fields(string(out))
			for _, w := range c.want {
				if !slices.Contains(got, w) {
					t.Errorf("completions %v lack %q", got, w)
				}
			}
			for _, w := range c.not {
				if slices.Contains(got, w) {
					t.Errorf("completions %v offer %q", got, w)
				}
			}
		})
	}
}

// zshHarness runs the zsh script's _booth outside a completion context,
// with the completion system's builtins replaced by functions that print
// what would be offered.
const zshHarness = `
_describe() { print -l -- ${(P)${@[-1]}}; }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
_files() { print -- FILES; }
_message() { print -- MESSAGE; }
compdef() { :; }
`

// TestZshAndFishCompletion checks the other shells' scripts with the shells
// themselves where they are installed: they parse, and complete the same
// command lines as bash does.
func TestZshAndFishCompletion(t *testing.T) {
	cases := []struct {
		line string // typed so far; the last word (possibly empty) is completed
		want []string
	}{
		{"booth ", []string{"mrz", "devices", "officer", "audit", "retention", "completion"}},
		{"booth officer ", []string{"add", "list", "disable"}},
		{"booth officer add --role ", []string{"primary", "secondary", "supervisor"}},
		{"booth --config booth.toml off", []string{"officer"}},
		{"booth devices --doc-bcc ", []string{"auto", "on", "off"}},
		{"booth audit verify --", []string{"--config", "--db"}},
		{"booth completion ", []string{"bash", "zsh", "fish"}},
	}
	for _, c := range []struct {
		shell string
		check []string // flags that only parse the script
		text  []string
		ask   func(script, line string) *exec.Cmd
	}{
		{"zsh", []string{"-n"}, []string{"#compdef booth", "'officer add|--role'", "_describe", "compdef _booth booth"},
			func(script, line string) *exec.Cmd {
				words := strings.Split(line, " ")
				var quoted []string
				for _, w := range words {
					quoted = append(quoted, shellQuote(w))
				}
				prog := zshHarness + "source " + shellQuote(script) + "\nwords=(" + strings.Join(quoted, " ") + ")\n" +
					"CURRENT=" + strconv.Itoa(len(words)) + "\n_booth\n"
				return exec.Command("zsh", "-f", "-c", prog)
			}},
		{"fish", []string{"--no-execute"}, []string{"complete -c booth", "__booth_at", "-l role"},
			func(script, line string) *exec.Cmd {
				return exec.Command("fish", "--no-config", "-c", "source "+shellQuote(script)+"; complete -C "+shellQuote(line))
			}},
	} {
		t.Run(c.shell, func(t *testing.T) {
			script := completionScript(t, c.shell)
			for _, w := range c.text {
				if !strings.Contains(script, w) {
					t.Errorf("%s script lacks %q", c.shell, w)
				}
			}
			for _, sub := range names(completionTable.actions) {
				if !strings.Contains(script, "'"+sub) {
					t.Errorf("%s script does not offer %q", c.shell, sub)
				}
			}
			bin, err := exec.LookPath(c.shell)
			if err != nil {
				t.Skipf("%s not installed; checked the text only", c.shell)
			}
			f := filepath.Join(t.TempDir(), "booth."+c.shell)
			if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, append(c.check, f)...).CombinedOutput(); err != nil {
				t.Fatalf("%s %v: %v\n%s", c.shell, c.check, err, out)
			}
			for _, tc := range cases {
				cmd := c.ask(f, tc.line)
				cmd.Dir = t.TempDir()
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Errorf("%q: %v\n%s", tc.line, err, out)
					continue
				}
				var got []string
				for _, l := range strings.Split(string(out), "\n") {
					// fish prints "word<TAB>description", zsh "word:description".
					got = append(got, strings.FieldsFunc(l, func(r rune) bool { return r == '\t' || r == ':' })...)
				}
				for _, w := range tc.want {
					if !slices.Contains(got, w) {
						t.Errorf("%q: completions %q lack %q", tc.line, out, w)
					}
				}
			}
		})
	}
}

func TestCompletionUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string // in stdout, or stderr when the code is not 0
	}{
		{[]string{"completion"}, 2, "usage: booth completion bash|zsh|fish"},
		{[]string{"completion", "-h"}, 0, "usage: booth completion bash|zsh|fish"},
		{[]string{"completion", "tcsh"}, 2, `unknown shell "tcsh"`},
		{[]string{"completion", "bash", "zsh"}, 2, "usage:"},
	} {
		var out, errb bytes.Buffer
		code := run(c.args, strings.NewReader(""), &out, &errb)
		text := out.String()
		if code != 0 {
			text = errb.String()
		}
		if code != c.code || !strings.Contains(text, c.out) {
			t.Errorf("booth %v = %d, %q; want %d and %q", c.args, code, text, c.code, c.out)
		}
	}
}
