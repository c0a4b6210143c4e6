package lazyfs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Options configures a file system.
type Options struct {
	// Torn makes a power cut keep a random subset of the unsynced writes,
	// some of them torn at sector boundaries, instead of dropping them all.
	Torn bool
	// Seed seeds the random choices of torn power cuts.
	Seed uint64
	// Debug logs every FUSE request (very verbose).
	Debug bool
}

// Stats counts what the file system has served since New.
type Stats struct {
	Writes, Truncates     int64 // changes to file contents
	WriteBytes            int64
	Fsyncs, DirFsyncs     int64 // successful syncs
	RefusedSyncs          int64 // syncs after the power was cut (never durable)
	Creates, Unlinks      int64
	Renames, Mkdirs       int64
	Cuts                  int   // power cuts
	LostBytes             int64 // unsynced bytes thrown away by cuts, in total
	LostEntries           int   // unsynced directory changes undone by cuts
	OpsAtLastFreeze       int64 // value of Ops when the last cut froze the disk
	Ops                   int64 // mutating operations (the clock of ArmCut)
	MountedAt, RebootedAt time.Time
}

// FS is an in-memory file system whose unsynced state a power cut loses.
// Use it as: New, Mount, run writers (in other processes), Freeze (the cut),
// kill the writers, Unmount, Reboot, Mount again.
type FS struct {
	opts Options

	mu      sync.Mutex // guards everything below and the whole tree
	root    *dir
	nextIno uint64
	rng     *rand.Rand
	stats   Stats
	frozen  bool
	frozeCh chan struct{} // closed when frozen
	release chan struct{} // closed by ReleaseSyncs: blocked syncs fail
	cutAt   int64         // freeze when stats.Ops reaches it; 0: never

	server *fuse.Server
	mnt    string
}

// New returns an empty file system, not yet mounted.
func New(opts Options) *FS {
	return &FS{
		opts:    opts,
		root:    newDir(1),
		nextIno: 2,
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		frozeCh: make(chan struct{}),
		release: make(chan struct{}),
	}
}

// ErrUnavailable is returned by Available when this machine cannot mount a
// FUSE file system at all.
var ErrUnavailable = errors.New("FUSE is not available")

// Available reports whether FUSE can be tried here: /dev/fuse exists and
// either the process is root (go-fuse mounts directly) or fusermount is
// installed.
func Available() error {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if os.Geteuid() == 0 {
		return nil
	}
	for _, bin := range []string{"fusermount3", "fusermount"} {
		if _, err := exec.LookPath(bin); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: not root and neither fusermount3 nor fusermount is installed (apt-get install fuse3)", ErrUnavailable)
}

// Mount serves the file system at dir (an existing empty directory) until
// Unmount.
func (f *FS) Mount(dir string) error {
	f.mu.Lock()
	if f.server != nil {
		f.mu.Unlock()
		return fmt.Errorf("lazyfs: already mounted at %s", f.mnt)
	}
	f.mu.Unlock()
	// Kernel caches stay short-lived but useful: every change comes through
	// this mount, and a power cut always remounts, which drops them.
	sec := time.Second
	zero := time.Duration(0)
	root := &dirNode{lfs: f, d: f.root}
	server, err := fs.Mount(dir, root, &fs.Options{
		EntryTimeout:    &sec,
		AttrTimeout:     &sec,
		NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			FsName:      "lazyfs",
			Name:        "lazyfs",
			DirectMount: os.Geteuid() == 0,
			Debug:       f.opts.Debug,
		},
	})
	if err != nil {
		return fmt.Errorf("lazyfs: mount at %s: %w", dir, err)
	}
	f.mu.Lock()
	f.server, f.mnt = server, dir
	f.stats.MountedAt = time.Now()
	f.mu.Unlock()
	return nil
}

// Unmount stops serving. Every process using the mount must be gone.
func (f *FS) Unmount() error {
	f.mu.Lock()
	server, mnt := f.server, f.mnt
	f.mu.Unlock()
	if server == nil {
		return nil
	}
	f.ReleaseSyncs()
	if err := server.Unmount(); err != nil {
		return fmt.Errorf("lazyfs: unmount %s: %w", mnt, err)
	}
	server.Wait()
	f.mu.Lock()
	f.server, f.mnt = nil, ""
	f.mu.Unlock()
	return nil
}

// Freeze is the instant of the power cut: from now on nothing becomes
// durable, and every fsync blocks, as on a machine that has stopped: the
// writer is never told its data is safe, nor that it failed (SQLite ignores
// a failed directory fsync, so an error would let it acknowledge a commit
// whose WAL has no durable name). Kill the writers with SIGKILL, then call
// ReleaseSyncs. Reads and writes still work, on state Reboot will drop.
func (f *FS) Freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.freezeLocked()
}

func (f *FS) freezeLocked() {
	if f.frozen {
		return
	}
	f.frozen = true
	f.stats.OpsAtLastFreeze = f.stats.Ops
	close(f.frozeCh)
}

// ReleaseSyncs fails (EIO) every sync blocked by the power cut, and every
// later one until Reboot. Call it only once every writer has been sent
// SIGKILL: a process with SIGKILL pending never runs its own code again, so
// none can act on the error. (A killed writer usually does not need it: the
// kernel interrupts its pending request.) Unmount calls it too.
func (f *FS) ReleaseSyncs() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.frozen {
		return
	}
	select {
	case <-f.release:
	default:
		close(f.release)
	}
}

// blockFrozen is a sync after the power cut: it waits for the writer's
// death (the kernel interrupts the request) or ReleaseSyncs, and fails.
// Called with f.mu held; returns with it held.
func (f *FS) blockFrozen(ctx context.Context) syscall.Errno {
	f.stats.RefusedSyncs++
	release := f.release
	f.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-release:
	}
	f.mu.Lock()
	return syscall.EIO
}

// ArmCut freezes the file system just before its n-th mutating operation
// from now (a write, truncate, create, unlink, rename, mkdir or sync), so a
// cut can land inside a commit or a checkpoint. It returns a channel closed
// at the freeze (by ArmCut or Freeze).
func (f *FS) ArmCut(n int64) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n > 0 {
		f.cutAt = f.stats.Ops + n
	}
	return f.frozeCh
}

// Frozen returns a channel closed when the power is cut.
func (f *FS) Frozen() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.frozeCh
}

// Reboot applies the power cut: it throws away everything not synced and
// powers the disk back on. The file system must be unmounted, so no kernel
// cache still holds the lost data.
func (f *FS) Reboot() (CutStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.server != nil {
		return CutStats{}, fmt.Errorf("lazyfs: reboot while mounted at %s", f.mnt)
	}
	var rng *rand.Rand
	if f.opts.Torn {
		rng = f.rng
	}
	var st CutStats
	crashTree(f.root, rng, &st)
	f.stats.Cuts++
	f.stats.LostBytes += st.LostBytes
	f.stats.LostEntries += st.LostEntries
	f.stats.RebootedAt = time.Now()
	f.frozen = false
	f.cutAt = 0
	f.frozeCh = make(chan struct{})
	f.release = make(chan struct{})
	return st, nil
}

// SyncAll makes everything durable as it is now, as a clean shutdown
// would (used to prepare a starting state).
func (f *FS) SyncAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	var walk func(d *dir)
	walk = func(d *dir) {
		d.synced = cloneEntries(d.entries)
		for _, e := range d.entries {
			switch x := e.(type) {
			case *file:
				x.sync()
			case *dir:
				walk(x)
			}
		}
	}
	walk(f.root)
}

// Stats returns the counters.
func (f *FS) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// op counts one mutating operation and reports whether the disk is (now)
// frozen. Called with f.mu held.
func (f *FS) op() (frozen bool) {
	f.stats.Ops++
	if f.cutAt > 0 && f.stats.Ops >= f.cutAt {
		f.freezeLocked()
	}
	return f.frozen
}

func (f *FS) newIno() uint64 {
	n := f.nextIno
	f.nextIno++
	return n
}
