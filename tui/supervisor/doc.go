// Package supervisor is the supervisor console's screens: the port dashboard
// (first screen after sign-in), the drill-down into any crossing (the
// secondary workstation's crossing view, read-only), search by document,
// name and birth date, plate and date range, and the audit-log viewer
// filtered by officer, action and time (docs/design.md §8, docs/tui.md).
//
// The console is read-only everywhere: no key of these screens writes, and
// the tui root hands them a keymap with every write action unbound. What the
// screens do write is the audit trail of what the supervisor looked at:
// opening a crossing, every search with its terms and every view of the
// audit log go through Deps.Audit.
//
// Like the rest of the TUI, Update does no I/O: every read runs in a tea.Cmd
// and comes back as a message. The dashboard reloads itself on the root's
// clock tick and whenever the feed puller applied a batch
// (secondary.ReplicaChangedMsg, sent through Program.Send by the one
// goroutine of the command wiring).
package supervisor
