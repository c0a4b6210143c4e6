// Package powerloss cuts the power under the booth's append path and the
// port server's ingest, again and again, and checks after each cut that
// every event a writer was told is durable is still there.
//
// The disk is a lazyfs mount served by the test process; the writer runs
// in a child process (SQLite memory-maps its WAL index, and a page fault
// served by the same Go runtime can deadlock it). A cut freezes the disk
// (nothing becomes durable any more and syncs never return), SIGKILLs the
// writer, throws away everything unsynced and remounts; a second child then
// opens the database as a rebooted booth or server would and reports what
// it holds, which Check compares with what the writer acknowledged.
//
// The child processes are the test binary itself, re-executed with
// ChildEnv set; TestMain hands them to RunChild.
package powerloss
