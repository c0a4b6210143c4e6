package replication

import "errors"

// diskFull reports whether err is a write that failed because the disk is
// full. The store logs those itself, once a minute while the disk stays
// full, so the link's loops, which retry every second, do not log them
// again. It is recognised by behaviour (DiskFull() bool) rather than by the
// store's sentinel, so the link does not depend on one store.
func diskFull(err error) bool {
	var df interface{ DiskFull() bool }
	return errors.As(err, &df) && df.DiskFull()
}
