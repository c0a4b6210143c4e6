// Package simulator imitates the booth's devices without hardware: one
// pseudo-terminal per serial device (document reader, RFID reader, radiation
// portal monitor, licence plate reader) carrying the exact wire bytes of
// docs/design.md §3, and the face matcher's HTTP API on loopback. It plays scenarios
// (a crossing told as timed device steps) and faults (garbage, truncated
// frames, floods, unplug and replug).
//
// It is a library so that `booth --demo` can run it in-process; cmd/devsim is
// the command-line front end. The reference data the scenarios resolve
// against ships embedded (Fixtures).
package simulator
