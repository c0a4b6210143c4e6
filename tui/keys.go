package tui

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"

	"github.com/portofentry/booth/records"
)

// KeyMap is every key binding of the workstation. The help bar and the full
// help screen are generated from it, and the TOML config can rebind any
// action by name (see KeyActions).
type KeyMap struct {
	// Primary screen.
	Admit  key.Binding
	Refer  key.Binding
	Ack    key.Binding
	Up     key.Binding
	Down   key.Binding
	Note   key.Binding
	Manual key.Binding
	Plate  key.Binding
	Xray   key.Binding
	Next   key.Binding

	// Secondary workstation (queue and open crossing; Up and Down move
	// there too).
	Open      key.Binding
	Back      key.Binding
	Take      key.Binding
	Search    key.Binding
	Conflicts key.Binding
	Finding   key.Binding
	LSS       key.Binding
	Determine key.Binding
	Replay    key.Binding
	PageUp    key.Binding
	PageDown  key.Binding

	// Supervisor console (dashboard, search, audit log; Up, Down, Open,
	// Back, Search, Replay and paging serve there too).
	AuditLog  key.Binding
	NextPanel key.Binding

	// Everywhere once logged in.
	Help   key.Binding
	Lock   key.Binding
	Logout key.Binding
	Quit   key.Binding

	// Dialogs.
	Confirm   key.Binding
	Cancel    key.Binding
	Toggle    key.Binding
	NextField key.Binding
	PrevField key.Binding
}

// DefaultKeyMap is the standard layout: single letters for the actions an
// officer repeats all shift, space to acknowledge the selected alert.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Admit:     b("a", "admit", "a"),
		Refer:     b("r", "refer", "r"),
		Ack:       b("space", "ack alert", "space"),
		Up:        b("↑/k", "prev alert", "up", "k"),
		Down:      b("↓/j", "next alert", "down", "j"),
		Note:      b("n", "note", "n"),
		Manual:    b("m", "key document", "m"),
		Plate:     b("p", "plate", "p"),
		Xray:      b("x", "baggage x-ray", "x"),
		Next:      b("v", "next vehicle", "v"),
		Open:      b("enter", "open", "enter"),
		Back:      b("esc", "back", "esc"),
		Take:      b("t", "take", "t"),
		Search:    b("/", "search", "/"),
		Conflicts: b("c", "conflicts", "c"),
		Finding:   b("f", "finding", "f"),
		LSS:       b("l", "LSS reachback", "l"),
		Determine: b("d", "determination", "d"),
		Replay:    b("p", "replay", "p"),
		PageUp:    b("pgup", "page up", "pgup"),
		PageDown:  b("pgdown", "page down", "pgdown"),
		AuditLog:  b("u", "audit log", "u"),
		NextPanel: b("tab", "next panel", "tab"),
		Help:      b("?", "help", "?"),
		Lock:      b("ctrl+l", "lock", "ctrl+l"),
		Logout:    b("ctrl+q", "log out", "ctrl+q"),
		Quit:      b("ctrl+c", "quit", "ctrl+c"),
		Confirm:   b("enter", "confirm", "enter"),
		Cancel:    b("esc", "cancel", "esc"),
		Toggle:    b("space", "toggle", "space"),
		NextField: b("tab", "next field", "tab"),
		PrevField: b("shift+tab", "prev field", "shift+tab"),
	}
}

// KeyActions are the action names the config's [keys] table may rebind, with
// whether the action writes to the record (unbound in read-only mode).
var KeyActions = []struct {
	Name  string
	Write bool
	get   func(*KeyMap) *key.Binding
}{
	{"admit", true, func(k *KeyMap) *key.Binding { return &k.Admit }},
	{"refer", true, func(k *KeyMap) *key.Binding { return &k.Refer }},
	{"ack", true, func(k *KeyMap) *key.Binding { return &k.Ack }},
	{"note", true, func(k *KeyMap) *key.Binding { return &k.Note }},
	{"manual", true, func(k *KeyMap) *key.Binding { return &k.Manual }},
	{"plate", true, func(k *KeyMap) *key.Binding { return &k.Plate }},
	{"xray", true, func(k *KeyMap) *key.Binding { return &k.Xray }},
	{"up", false, func(k *KeyMap) *key.Binding { return &k.Up }},
	{"down", false, func(k *KeyMap) *key.Binding { return &k.Down }},
	{"next", false, func(k *KeyMap) *key.Binding { return &k.Next }},
	{"open", false, func(k *KeyMap) *key.Binding { return &k.Open }},
	{"back", false, func(k *KeyMap) *key.Binding { return &k.Back }},
	{"take", true, func(k *KeyMap) *key.Binding { return &k.Take }},
	{"search", false, func(k *KeyMap) *key.Binding { return &k.Search }},
	{"conflicts", false, func(k *KeyMap) *key.Binding { return &k.Conflicts }},
	{"finding", true, func(k *KeyMap) *key.Binding { return &k.Finding }},
	{"lss", true, func(k *KeyMap) *key.Binding { return &k.LSS }},
	{"determine", true, func(k *KeyMap) *key.Binding { return &k.Determine }},
	{"replay", false, func(k *KeyMap) *key.Binding { return &k.Replay }},
	{"page_up", false, func(k *KeyMap) *key.Binding { return &k.PageUp }},
	{"page_down", false, func(k *KeyMap) *key.Binding { return &k.PageDown }},
	{"audit_log", false, func(k *KeyMap) *key.Binding { return &k.AuditLog }},
	{"next_panel", false, func(k *KeyMap) *key.Binding { return &k.NextPanel }},
	{"help", false, func(k *KeyMap) *key.Binding { return &k.Help }},
	{"lock", false, func(k *KeyMap) *key.Binding { return &k.Lock }},
	{"logout", false, func(k *KeyMap) *key.Binding { return &k.Logout }},
	{"quit", false, func(k *KeyMap) *key.Binding { return &k.Quit }},
	{"confirm", false, func(k *KeyMap) *key.Binding { return &k.Confirm }},
	{"cancel", false, func(k *KeyMap) *key.Binding { return &k.Cancel }},
	{"toggle", false, func(k *KeyMap) *key.Binding { return &k.Toggle }},
	{"next_field", false, func(k *KeyMap) *key.Binding { return &k.NextField }},
	{"prev_field", false, func(k *KeyMap) *key.Binding { return &k.PrevField }},
}

// namedKeys are the key names Bubble Tea v2 reports besides single characters.
var namedKeys = map[string]bool{
	"enter": true, "tab": true, "esc": true, "space": true, "backspace": true,
	"delete": true, "insert": true, "up": true, "down": true, "left": true,
	"right": true, "home": true, "end": true, "pgup": true, "pgdown": true,
}

// validKey reports whether s is a key as Bubble Tea v2 names it: optional
// ctrl+/alt+/shift+ modifiers, then one character or a named key.
func validKey(s string) error {
	if s == "" {
		return fmt.Errorf("empty key")
	}
	parts := strings.Split(s, "+")
	base := parts[len(parts)-1]
	if s == "+" || strings.HasSuffix(s, "++") {
		base = "+"
		parts = strings.Split(strings.TrimSuffix(s, "+"), "+")
		parts = parts[:len(parts)-1]
	} else {
		parts = parts[:len(parts)-1]
	}
	seen := map[string]bool{}
	for _, m := range parts {
		if m != "ctrl" && m != "alt" && m != "shift" {
			return fmt.Errorf("key %q: unknown modifier %q (use ctrl, alt or shift)", s, m)
		}
		if seen[m] {
			return fmt.Errorf("key %q: modifier %q twice", s, m)
		}
		seen[m] = true
	}
	if utf8.RuneCountInString(base) == 1 || namedKeys[base] {
		return nil
	}
	if strings.HasPrefix(base, "f") && len(base) <= 3 {
		var n int
		if _, err := fmt.Sscanf(base[1:], "%d", &n); err == nil && n >= 1 && n <= 20 && fmt.Sprint(n) == base[1:] {
			return nil
		}
	}
	return fmt.Errorf("key %q: %q is not a key name (a character, enter, tab, esc, space, up, f1…)", s, base)
}

// Apply rebinds actions from the config's keys table. An unknown action, a
// malformed key or two primary-screen actions sharing a key is an error
// naming it; nothing is changed on error.
func (k KeyMap) Apply(keys map[string][]string) (KeyMap, error) {
	out := k
	names := make([]string, 0, len(keys))
	for name := range keys {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var b *key.Binding
		for _, a := range KeyActions {
			if a.Name == name {
				b = a.get(&out)
			}
		}
		if b == nil {
			return k, fmt.Errorf("keys.%s: unknown action (known: %s)", name, strings.Join(actionNames(), ", "))
		}
		ks := keys[name]
		if len(ks) == 0 {
			return k, fmt.Errorf("keys.%s: no key given", name)
		}
		for _, s := range ks {
			if err := validKey(s); err != nil {
				return k, fmt.Errorf("keys.%s: %w", name, err)
			}
		}
		*b = key.NewBinding(key.WithKeys(ks...), key.WithHelp(strings.Join(ks, "/"), b.Help().Desc))
	}
	if err := out.conflicts(); err != nil {
		return k, err
	}
	return out, nil
}

// screenActions are the actions live together on one screen: a key may
// serve two actions only on different screens (dialog keys live in their
// own context and may reuse any).
var screenActions = [][]string{
	// primary booth
	{"admit", "refer", "ack", "note", "manual", "plate", "xray", "up", "down", "next", "help", "lock", "logout", "quit"},
	// secondary: the queue
	{"up", "down", "page_up", "page_down", "open", "take", "search", "conflicts", "back", "help", "lock", "logout", "quit"},
	// secondary: the open crossing
	{"up", "down", "page_up", "page_down", "back", "take", "search", "finding", "lss", "determine", "replay", "help", "lock", "logout", "quit"},
	// supervisor: the dashboard, search results and audit log
	{"up", "down", "page_up", "page_down", "next_panel", "open", "back", "search", "audit_log", "help", "lock", "logout", "quit"},
	// supervisor: the drill-down into a crossing
	{"up", "down", "page_up", "page_down", "back", "replay", "help", "lock", "logout", "quit"},
}

// conflicts finds a key bound to two actions of one screen.
func (k KeyMap) conflicts() error {
	for _, screen := range screenActions {
		owner := map[string]string{}
		for _, a := range KeyActions {
			if !contains(screen, a.Name) {
				continue
			}
			for _, s := range a.get(&k).Keys() {
				if prev, ok := owner[s]; ok {
					return fmt.Errorf("keys: %q is bound to both %s and %s", s, prev, a.Name)
				}
				owner[s] = a.Name
			}
		}
	}
	return nil
}

// ReadOnly returns the keymap with every write action unbound: the keys do
// nothing and do not appear in help.
// ForMode unbinds the actions a lane of that mode has no use for: a
// pedestrian counter has no plate, a vehicle lane no baggage x-ray.
func (k KeyMap) ForMode(mode records.Mode) KeyMap {
	if mode == records.ModePedestrian {
		k.Plate = key.NewBinding(key.WithDisabled())
		k.Next.SetHelp(k.Next.Help().Key, "next traveller")
	} else {
		k.Xray = key.NewBinding(key.WithDisabled())
	}
	return k
}

func (k KeyMap) ReadOnly() KeyMap {
	for _, a := range KeyActions {
		if a.Write {
			*a.get(&k) = key.NewBinding(key.WithDisabled())
		}
	}
	return k
}

func actionNames() []string {
	n := make([]string, len(KeyActions))
	for i, a := range KeyActions {
		n[i] = a.Name
	}
	return n
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Bindings returns the keys bound to each action, by action name: the
// [keys] table of the configuration with nothing rebound.
func (k KeyMap) Bindings() map[string][]string {
	out := make(map[string][]string, len(KeyActions))
	for _, a := range KeyActions {
		out[a.Name] = a.get(&k).Keys()
	}
	return out
}
