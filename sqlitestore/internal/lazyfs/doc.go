// Package lazyfs is a FUSE file system for power-loss tests, in the spirit
// of Jepsen's LazyFS: it keeps every file in memory and remembers, besides
// what a reader sees now, what would survive a power cut. A file's contents
// become durable only when the file is fsync'd (or fdatasync'd); a
// directory's entries (creates, unlinks, renames) only when the directory
// is fsync'd. Reboot throws away everything that was not made durable, so
// after a remount the files hold exactly what was synced (or, in torn mode,
// what was synced plus an arbitrary subset of the unsynced writes, torn at
// sector boundaries, as a real disk may leave them).
//
// The file system is served by the process that mounts it. A process that
// memory-maps a file of the mount (SQLite's WAL index) must not be that
// process: a page fault served by the same Go runtime can deadlock it. Run
// the database in a child process.
package lazyfs
