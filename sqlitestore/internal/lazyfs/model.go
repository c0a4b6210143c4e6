package lazyfs

import (
	"maps"
	"math/rand/v2"
	"slices"
	"time"
)

// sectorSize is the unit a torn write is cut at: a disk writes a sector
// whole or not at all, and never touches bytes outside the write (SQLite's
// powersafe-overwrite assumption).
const sectorSize = 512

// maxPendingBytes bounds the unsynced writes a file remembers in torn mode.
// Past it the oldest are written back, as an operating system would flush
// dirty pages on its own, so they become durable without an fsync.
const maxPendingBytes = 64 << 20

// file is a regular file: what readers see and what survives a power cut.
type file struct {
	ino    uint64
	data   []byte // current contents
	synced []byte // contents as of the last fsync
	// pending are the changes since the last fsync, oldest first; kept only
	// in torn mode, where a power cut may keep any of them.
	pending      []change
	pendingBytes int
	mtime        time.Time
}

// change is one unsynced write or truncate.
type change struct {
	truncate bool
	off      int64
	data     []byte // the write's bytes; nil for a truncate
	size     int64  // the new size for a truncate
}

// dir is a directory: its entries now and as of its last fsync.
type dir struct {
	ino     uint64
	entries map[string]any // *file or *dir
	synced  map[string]any
	mtime   time.Time
}

func newDir(ino uint64) *dir {
	return &dir{ino: ino, entries: map[string]any{}, synced: map[string]any{}, mtime: time.Now()}
}

// write applies a write to the current contents.
func (f *file) write(off int64, p []byte, torn bool) {
	f.data = apply(f.data, change{off: off, data: p})
	f.mtime = time.Now()
	if torn {
		f.remember(change{off: off, data: slices.Clone(p)})
	}
}

// truncate sets the current size.
func (f *file) truncate(size int64, torn bool) {
	f.data = apply(f.data, change{truncate: true, size: size})
	f.mtime = time.Now()
	if torn {
		f.remember(change{truncate: true, size: size})
	}
}

func (f *file) remember(c change) {
	f.pending = append(f.pending, c)
	f.pendingBytes += len(c.data)
	for f.pendingBytes > maxPendingBytes && len(f.pending) > 0 {
		f.synced = apply(f.synced, f.pending[0])
		f.pendingBytes -= len(f.pending[0].data)
		f.pending = f.pending[1:]
	}
}

// sync makes the current contents durable.
func (f *file) sync() {
	f.synced = slices.Clone(f.data)
	f.pending, f.pendingBytes = nil, 0
}

// apply returns b with c applied (b may be reused).
func apply(b []byte, c change) []byte {
	if c.truncate {
		if c.size <= int64(len(b)) {
			return b[:c.size]
		}
		return append(b, make([]byte, c.size-int64(len(b)))...)
	}
	end := c.off + int64(len(c.data))
	if end > int64(len(b)) {
		b = append(b, make([]byte, end-int64(len(b)))...)
	}
	copy(b[c.off:], c.data)
	return b
}

// crash replaces the current state of f with what a power cut leaves: the
// synced contents, plus (with rng, torn mode) a random subset of the
// unsynced changes, each write possibly cut to some of its sectors. It
// returns how many bytes now differ from what readers saw before the cut.
func (f *file) crash(rng *rand.Rand) (lostBytes int64) {
	if rng != nil {
		for _, c := range f.pending {
			switch {
			case rng.IntN(2) == 0:
				// lost whole
			case c.truncate || len(c.data) <= sectorSize || rng.IntN(2) == 0:
				f.synced = apply(f.synced, c)
			default:
				// Torn: keep some of the write's sectors (aligned in the
				// file), drop the others.
				for start := c.off; start < c.off+int64(len(c.data)); {
					end := min((start/sectorSize+1)*sectorSize, c.off+int64(len(c.data)))
					if rng.IntN(2) == 0 {
						f.synced = apply(f.synced, change{off: start, data: c.data[start-c.off : end-c.off]})
					}
					start = end
				}
			}
		}
	}
	lostBytes = int64(diffBytes(f.data, f.synced))
	f.pending, f.pendingBytes = nil, 0
	f.data = slices.Clone(f.synced)
	return lostBytes
}

// diffBytes counts the bytes where a and b differ, the length difference
// included.
func diffBytes(a, b []byte) int {
	n := max(len(a), len(b)) - min(len(a), len(b))
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// CutStats is what one power cut threw away.
type CutStats struct {
	// LostBytes is how many bytes of file contents differ from what was
	// there before the cut (unsynced writes that did not survive).
	LostBytes int64
	// LostEntries counts directory entries created, removed or renamed
	// without a directory fsync, and so undone.
	LostEntries int
	// Files is how many files exist after the cut.
	Files int
}

// crashTree applies a power cut to the tree under d: every directory's
// entries go back to their synced set, and every file still reachable to
// its synced contents.
func crashTree(d *dir, rng *rand.Rand, st *CutStats) {
	for name, e := range d.entries {
		if s, ok := d.synced[name]; !ok || s != e {
			st.LostEntries++
		}
	}
	for name := range d.synced {
		if _, ok := d.entries[name]; !ok {
			st.LostEntries++
		}
	}
	d.entries = maps.Clone(d.synced)
	for _, e := range d.entries {
		switch x := e.(type) {
		case *file:
			st.LostBytes += x.crash(rng)
			st.Files++
		case *dir:
			crashTree(x, rng, st)
		}
	}
}
