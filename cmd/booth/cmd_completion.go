package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

const completionUsage = `usage: booth completion bash|zsh|fish

Prints a shell completion script for booth's commands, actions and flags.

  bash:  booth completion bash > /etc/bash_completion.d/booth
  zsh:   booth completion zsh > "${fpath[1]}/_booth"
  fish:  booth completion fish > ~/.config/fish/completions/booth.fish
`

// compFlag is one flag of a command as completion offers it.
type compFlag struct {
	name   string
	help   string
	values []string // fixed choices of the flag's value
	file   bool     // the value is a path
	bool   bool     // takes no value
}

// compCmd is a command (or an action of one) with its flags. The table
// mirrors the flag sets of the commands; a test checks it against each
// command's -h output so the two cannot drift apart.
type compCmd struct {
	name    string
	help    string
	flags   []compFlag
	actions []compCmd
}

var (
	roleValues = []string{"primary", "secondary", "supervisor"}
	flagConfig = compFlag{name: "config", help: "workstation configuration file", file: true}
	flagDB     = compFlag{name: "db", help: "database file", file: true}
)

func completionDeviceFlags() []compFlag {
	fs := []compFlag{
		{name: "json", help: "print one JSON object per event", bool: true},
		{name: "for", help: "stop after this long"},
		{name: "verbose", help: "log connection details to stderr", bool: true},
		{name: "doc-bcc", help: "document reader block check character", values: []string{"auto", "on", "off"}},
		{name: "doc-idle-gap", help: "silence that ends an incomplete document read"},
		{name: "rfid-window", help: "RFID de-duplication window"},
		{name: "rfid-rssi-floor", help: "drop RFID reads weaker than this (dBm)"},
	}
	for _, d := range []struct{ name, title string }{
		{"doc", "document (MRZ) reader"}, {"rfid", "RFID reader"},
		{"rpm", "radiation portal monitor"}, {"lpr", "license plate reader"},
	} {
		fs = append(fs,
			compFlag{name: d.name, help: "serial device path of the " + d.title, file: true},
			compFlag{name: d.name + "-baud", help: "baud rate of --" + d.name, values: []string{"9600", "19200", "38400", "57600", "115200"}},
			compFlag{name: d.name + "-framing", help: "data bits, parity and stop bits of --" + d.name, values: []string{"8N1", "7E1", "7O1", "8E1", "8O1"}},
		)
	}
	return fs
}

// completionTable is booth: the TUI's flags at the root, then each command.
var completionTable = compCmd{
	name: "booth",
	flags: []compFlag{
		{name: "config", help: "workstation configuration file (TOML)", file: true},
		{name: "demo", help: "simulated devices, a temporary database and a demo officer", bool: true},
		{name: "print-config", help: "print the configuration with every default and exit", bool: true},
		{name: "read-only", help: "every sign-in is read-only", bool: true},
		{name: "fix-permissions", help: "set private files that others may read to 0600", bool: true},
		{name: "role", help: "primary, secondary or supervisor", values: roleValues},
		{name: "version", help: "print what this binary was built from", bool: true},
	},
	actions: []compCmd{
		{name: "mrz", help: "parse an MRZ read from stdin into JSON"},
		{name: "devices", help: "print events from serial devices", flags: completionDeviceFlags()},
		{name: "officer", help: "officer accounts", actions: []compCmd{
			{name: "add", help: "add an officer (PIN on stdin)", flags: []compFlag{
				{name: "badge", help: "badge number"}, {name: "name", help: "officer's name"},
				{name: "role", help: "the officer's roles (comma-separated)", values: roleValues},
				{name: "break-glass", help: "usable only while the account cache has expired", bool: true}, flagConfig, flagDB}},
			{name: "list", help: "list officer accounts", flags: []compFlag{
				{name: "json", help: "print a JSON array", bool: true}, flagConfig, flagDB}},
			{name: "disable", help: "disable an officer", flags: []compFlag{
				{name: "badge", help: "badge number"}, flagConfig, flagDB}},
		}},
		{name: "audit", help: "audit hash chain", actions: []compCmd{
			{name: "verify", help: "verify the audit hash chain", flags: []compFlag{
				{name: "ca", help: "PEM file of the port CA that signs the port server's certificate", file: true}, flagConfig, flagDB}},
		}},
		{name: "retention", help: "biometric retention", actions: []compCmd{
			{name: "run", help: "apply biometric retention now", flags: []compFlag{
				{name: "now", help: "tests only: evaluate retention at this RFC 3339 time"},
				{name: "test-clock", help: "tests only: allow a --now more than a minute in the future", bool: true}, flagConfig, flagDB}},
		}},
		{name: "completion", help: "print a shell completion script", actions: []compCmd{
			{name: "bash", help: "bash completion script"},
			{name: "zsh", help: "zsh completion script"},
			{name: "fish", help: "fish completion script"},
		}},
	},
}

// runCompletion is `booth completion bash|zsh|fish`.
func runCompletion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, completionUsage)
		return 0
	}
	if len(args) != 1 {
		fmt.Fprint(stderr, completionUsage)
		return 2
	}
	var script string
	switch args[0] {
	case "bash":
		script = bashCompletion(completionTable)
	case "zsh":
		script = zshCompletion(completionTable)
	case "fish":
		script = fishCompletion(completionTable)
	default:
		return usageError(stderr, "completion: unknown shell %q; want bash, zsh or fish", args[0])
	}
	if _, err := io.WriteString(stdout, script); err != nil {
		fmt.Fprintf(stderr, "booth: completion: %v\n", err)
		return 1
	}
	return 0
}

// compNode is a point in the command tree: "" (booth itself), "officer",
// "officer add". Scripts find the node from the words typed so far.
type compNode struct {
	path string
	cmd  compCmd
}

func (c compCmd) nodes() []compNode {
	var out []compNode
	var walk func(prefix string, c compCmd)
	walk = func(path string, c compCmd) {
		out = append(out, compNode{path, c})
		for _, a := range c.actions {
			walk(strings.TrimSpace(path+" "+a.name), a)
		}
	}
	walk("", c)
	return out
}

// valueFlags are the names of all flags that take a value, which the scripts
// skip with their value when finding the command path.
func (c compCmd) valueFlags() []string {
	seen := map[string]bool{}
	for _, n := range c.nodes() {
		for _, f := range n.cmd.flags {
			if !f.bool {
				seen[f.name] = true
			}
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func names(cs []compCmd) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.name)
	}
	return out
}

func dashed(fs []compFlag) []string {
	var out []string
	for _, f := range fs {
		out = append(out, "--"+f.name)
	}
	return out
}

// shellQuote quotes s for bash, zsh and fish alike (single quotes; a single
// quote inside is closed, escaped and reopened, which fish also accepts).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func bashCompletion(root compCmd) string {
	var b strings.Builder
	vf := root.valueFlags()
	fmt.Fprintf(&b, `# bash completion for booth; generated by 'booth completion bash'.
_booth() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local path="" w i skip=0
    # The command path is the words typed so far that are neither flags nor
    # flag values. Bash splits --flag=value into three words at the "=".
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == = ]]; then skip=1; continue; fi
        if ((skip)); then skip=0; continue; fi
        case $w in
            %s) skip=1 ;;
            -*) ;;
            *) path="${path:+$path }$w" ;;
        esac
    done
    if [[ $cur == = ]]; then
        cur=""
    elif [[ $prev == = ]]; then
        prev=${COMP_WORDS[COMP_CWORD-2]}
    fi
    # Go's flags take one dash or two; complete -name as --name.
    if [[ $cur == -[!-]* ]]; then cur=-$cur; fi
`, strings.Join(flagAlternatives(vf), " | "))
	// Flag values.
	b.WriteString("    case \"$path|$prev\" in\n")
	for _, n := range root.nodes() {
		for _, f := range n.cmd.flags {
			pat := flagPattern(n.path, f.name)
			switch {
			case f.bool:
				continue
			case f.file:
				fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", pat)
			case len(f.values) > 0:
				fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -W %s -- \"$cur\")); return ;;\n", pat, shellQuote(strings.Join(f.values, " ")))
			default:
				fmt.Fprintf(&b, "        %s) COMPREPLY=(); return ;;\n", pat)
			}
		}
	}
	b.WriteString("    esac\n")
	// Actions and flags of the node reached.
	b.WriteString("    local words\n    case $path in\n")
	for _, n := range root.nodes() {
		words := append(names(n.cmd.actions), dashed(n.cmd.flags)...)
		fmt.Fprintf(&b, "        %s) words=%s ;;\n", shellQuote(n.path), shellQuote(strings.Join(words, " ")))
	}
	b.WriteString(`        *) return ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _booth booth
`)
	return b.String()
}

// flagPattern is the case pattern for the word before the cursor being
// flag name of the command at path, in -name or --name form.
func flagPattern(path, name string) string {
	return shellQuote(path+"|-"+name) + " | " + shellQuote(path+"|--"+name)
}

// flagAlternatives are case patterns matching the flags in -name and --name
// form.
func flagAlternatives(flags []string) []string {
	var out []string
	for _, f := range flags {
		out = append(out, "-"+f, "--"+f)
	}
	return out
}

func zshCompletion(root compCmd) string {
	var b strings.Builder
	vf := root.valueFlags()
	fmt.Fprintf(&b, `#compdef booth
# zsh completion for booth; generated by 'booth completion zsh'.
_booth() {
    local path_ w i skip=0 prev=${words[CURRENT-1]} cur=${words[CURRENT]}
    for ((i = 2; i < CURRENT; i++)); do
        w=${words[i]}
        if ((skip)); then skip=0; continue; fi
        case $w in
            --*=* | -*=*) ;;
            %s) skip=1 ;;
            -*) ;;
            *) path_="${path_:+$path_ }$w" ;;
        esac
    done
    local -a items
    case "$path_|$prev" in
`, strings.Join(flagAlternatives(vf), " | "))
	for _, n := range root.nodes() {
		for _, f := range n.cmd.flags {
			pat := flagPattern(n.path, f.name)
			switch {
			case f.bool:
				continue
			case f.file:
				fmt.Fprintf(&b, "        %s) _files; return ;;\n", pat)
			case len(f.values) > 0:
				fmt.Fprintf(&b, "        %s) compadd -- %s; return ;;\n", pat, strings.Join(f.values, " "))
			default:
				fmt.Fprintf(&b, "        %s) _message %s; return ;;\n", pat, shellQuote(f.help))
			}
		}
	}
	b.WriteString("    esac\n    case $path_ in\n")
	for _, n := range root.nodes() {
		var items []string
		for _, a := range n.cmd.actions {
			items = append(items, shellQuote(a.name+":"+a.help))
		}
		var flags []string
		for _, f := range n.cmd.flags {
			flags = append(flags, shellQuote("--"+f.name+":"+f.help))
		}
		fmt.Fprintf(&b, "        %s)\n", shellQuote(n.path))
		fmt.Fprintf(&b, "            if [[ $cur == -* ]]; then items=(%s); _describe -t flags flag items\n", strings.Join(flags, " "))
		fmt.Fprintf(&b, "            else items=(%s); _describe -t commands command items; fi ;;\n", strings.Join(items, " "))
	}
	b.WriteString(`    esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _booth "$@"
else
    compdef _booth booth
fi
`)
	return b.String()
}

func fishCompletion(root compCmd) string {
	var b strings.Builder
	vf := root.valueFlags()
	fmt.Fprintf(&b, `# fish completion for booth; generated by 'booth completion fish'.
# __booth_path prints the command path typed so far: the words that are
# neither flags nor flag values.
function __booth_path
    set -l path
    set -l skip 0
    set -l words (commandline -opc)
    set -e words[1]
    for w in $words
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case '-*=*'
            case %s
                set skip 1
            case '-*'
            case '*'
                set -a path $w
        end
    end
    echo "$path"
end
function __booth_at
    test (__booth_path) = "$argv[1]"
end
complete -c booth -f
`, strings.Join(quoteAll(flagAlternatives(vf)), " "))
	for _, n := range root.nodes() {
		cond := shellQuote(`__booth_at "` + n.path + `"`)
		for _, a := range n.cmd.actions {
			fmt.Fprintf(&b, "complete -c booth -n %s -a %s -d %s\n", cond, shellQuote(a.name), shellQuote(a.help))
		}
		for _, f := range n.cmd.flags {
			opts := ""
			switch {
			case f.bool:
			case f.file:
				opts = " -r -F"
			case len(f.values) > 0:
				opts = " -x -a " + shellQuote(strings.Join(f.values, " "))
			default:
				opts = " -x"
			}
			fmt.Fprintf(&b, "complete -c booth -n %s -l %s%s -d %s\n", cond, f.name, opts, shellQuote(f.help))
		}
	}
	return b.String()
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = shellQuote(s)
	}
	return out
}
