package lazyfs

import (
	"context"
	"maps"
	"slices"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// The FUSE side: nodes are thin views of the tree in model.go; every
// operation takes the file system's lock. One lock is plenty for a test
// disk and keeps a sync atomic with respect to writes.

func cloneEntries(m map[string]any) map[string]any { return maps.Clone(m) }

type dirNode struct {
	fs.Inode
	lfs *FS
	d   *dir
}

type fileNode struct {
	fs.Inode
	lfs *FS
	f   *file
}

var (
	_ fs.NodeLookuper  = (*dirNode)(nil)
	_ fs.NodeGetattrer = (*dirNode)(nil)
	_ fs.NodeSetattrer = (*dirNode)(nil)
	_ fs.NodeReaddirer = (*dirNode)(nil)
	_ fs.NodeCreater   = (*dirNode)(nil)
	_ fs.NodeMkdirer   = (*dirNode)(nil)
	_ fs.NodeUnlinker  = (*dirNode)(nil)
	_ fs.NodeRmdirer   = (*dirNode)(nil)
	_ fs.NodeRenamer   = (*dirNode)(nil)
	_ fs.NodeFsyncer   = (*dirNode)(nil)

	_ fs.NodeGetattrer = (*fileNode)(nil)
	_ fs.NodeSetattrer = (*fileNode)(nil)
	_ fs.NodeOpener    = (*fileNode)(nil)
	_ fs.NodeReader    = (*fileNode)(nil)
	_ fs.NodeWriter    = (*fileNode)(nil)
	_ fs.NodeFsyncer   = (*fileNode)(nil)
	_ fs.NodeFlusher   = (*fileNode)(nil)
)

func fileAttr(f *file, out *fuse.Attr) {
	out.Ino = f.ino
	out.Mode = syscall.S_IFREG | 0o644
	out.Size = uint64(len(f.data))
	out.Blocks = (out.Size + 511) / 512
	out.Nlink = 1
	out.SetTimes(nil, &f.mtime, &f.mtime)
}

func dirAttr(d *dir, out *fuse.Attr) {
	out.Ino = d.ino
	out.Mode = syscall.S_IFDIR | 0o755
	out.Nlink = 2
	out.SetTimes(nil, &d.mtime, &d.mtime)
}

// child returns the FUSE inode for e (a *file or *dir) under n.
func (n *dirNode) child(ctx context.Context, e any, out *fuse.EntryOut) *fs.Inode {
	switch x := e.(type) {
	case *file:
		fileAttr(x, &out.Attr)
		return n.NewInode(ctx, &fileNode{lfs: n.lfs, f: x}, fs.StableAttr{Mode: syscall.S_IFREG, Ino: x.ino})
	case *dir:
		dirAttr(x, &out.Attr)
		return n.NewInode(ctx, &dirNode{lfs: n.lfs, d: x}, fs.StableAttr{Mode: syscall.S_IFDIR, Ino: x.ino})
	}
	panic("lazyfs: unknown entry type")
}

func (n *dirNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	e, ok := n.d.entries[name]
	if !ok {
		return nil, syscall.ENOENT
	}
	return n.child(ctx, e, out), 0
}

func (n *dirNode) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	dirAttr(n.d, &out.Attr)
	return 0
}

func (n *dirNode) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	dirAttr(n.d, &out.Attr) // modes and times are not kept
	return 0
}

func (n *dirNode) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	names := slices.Sorted(maps.Keys(n.d.entries))
	list := make([]fuse.DirEntry, 0, len(names))
	for _, name := range names {
		switch x := n.d.entries[name].(type) {
		case *file:
			list = append(list, fuse.DirEntry{Name: name, Ino: x.ino, Mode: syscall.S_IFREG})
		case *dir:
			list = append(list, fuse.DirEntry{Name: name, Ino: x.ino, Mode: syscall.S_IFDIR})
		}
	}
	return fs.NewListDirStream(list), 0
}

func (n *dirNode) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	torn := n.lfs.opts.Torn
	if e, ok := n.d.entries[name]; ok {
		f, isFile := e.(*file)
		switch {
		case flags&syscall.O_EXCL != 0:
			return nil, nil, 0, syscall.EEXIST
		case !isFile:
			return nil, nil, 0, syscall.EISDIR
		case flags&syscall.O_TRUNC != 0:
			n.lfs.op()
			n.lfs.stats.Truncates++
			f.truncate(0, torn)
		}
		return n.child(ctx, f, out), nil, 0, 0
	}
	n.lfs.op()
	n.lfs.stats.Creates++
	f := &file{ino: n.lfs.newIno()}
	f.mtime = n.d.mtime
	n.d.entries[name] = f
	return n.child(ctx, f, out), nil, 0, 0
}

func (n *dirNode) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	if _, ok := n.d.entries[name]; ok {
		return nil, syscall.EEXIST
	}
	n.lfs.op()
	n.lfs.stats.Mkdirs++
	d := newDir(n.lfs.newIno())
	n.d.entries[name] = d
	return n.child(ctx, d, out), 0
}

func (n *dirNode) Unlink(ctx context.Context, name string) syscall.Errno {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	e, ok := n.d.entries[name]
	if !ok {
		return syscall.ENOENT
	}
	if _, isDir := e.(*dir); isDir {
		return syscall.EISDIR
	}
	n.lfs.op()
	n.lfs.stats.Unlinks++
	delete(n.d.entries, name)
	return 0
}

func (n *dirNode) Rmdir(ctx context.Context, name string) syscall.Errno {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	e, ok := n.d.entries[name]
	if !ok {
		return syscall.ENOENT
	}
	d, isDir := e.(*dir)
	if !isDir {
		return syscall.ENOTDIR
	}
	if len(d.entries) > 0 {
		return syscall.ENOTEMPTY
	}
	n.lfs.op()
	n.lfs.stats.Unlinks++
	delete(n.d.entries, name)
	return 0
}

func (n *dirNode) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	to, ok := newParent.(*dirNode)
	if !ok {
		return syscall.EXDEV
	}
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	e, ok := n.d.entries[name]
	if !ok {
		return syscall.ENOENT
	}
	old, exists := to.d.entries[newName]
	const renameNoReplace, renameExchange = 1, 2
	switch {
	case flags&renameExchange != 0:
		return syscall.ENOTSUP
	case flags&renameNoReplace != 0 && exists:
		return syscall.EEXIST
	case exists:
		if od, isDir := old.(*dir); isDir {
			if _, srcDir := e.(*dir); !srcDir {
				return syscall.EISDIR
			}
			if len(od.entries) > 0 {
				return syscall.ENOTEMPTY
			}
		} else if _, srcDir := e.(*dir); srcDir {
			return syscall.ENOTDIR
		}
	}
	n.lfs.op()
	n.lfs.stats.Renames++
	delete(n.d.entries, name)
	to.d.entries[newName] = e
	return 0
}

// Fsync of a directory makes its entries durable (not the entries'
// contents: a file's contents need the file's own fsync).
func (n *dirNode) Fsync(ctx context.Context, fh fs.FileHandle, flags uint32) syscall.Errno {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	if n.lfs.op() {
		return n.lfs.blockFrozen(ctx)
	}
	n.lfs.stats.DirFsyncs++
	n.d.synced = cloneEntries(n.d.entries)
	return 0
}

func (n *fileNode) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	fileAttr(n.f, &out.Attr)
	return 0
}

func (n *fileNode) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	if size, ok := in.GetSize(); ok {
		n.lfs.op()
		n.lfs.stats.Truncates++
		n.f.truncate(int64(size), n.lfs.opts.Torn)
	}
	fileAttr(n.f, &out.Attr)
	return 0
}

func (n *fileNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&syscall.O_TRUNC != 0 {
		n.lfs.mu.Lock()
		n.lfs.op()
		n.lfs.stats.Truncates++
		n.f.truncate(0, n.lfs.opts.Torn)
		n.lfs.mu.Unlock()
	}
	return nil, 0, 0
}

func (n *fileNode) Read(ctx context.Context, fh fs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	if off >= int64(len(n.f.data)) {
		return fuse.ReadResultData(nil), 0
	}
	// Copy: the file may change before the reply is sent.
	k := copy(dest, n.f.data[off:])
	return fuse.ReadResultData(dest[:k]), 0
}

func (n *fileNode) Write(ctx context.Context, fh fs.FileHandle, buf []byte, off int64) (uint32, syscall.Errno) {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	if off < 0 {
		return 0, syscall.EINVAL
	}
	n.lfs.op()
	n.lfs.stats.Writes++
	n.lfs.stats.WriteBytes += int64(len(buf))
	n.f.write(off, buf, n.lfs.opts.Torn)
	return uint32(len(buf)), 0
}

// Fsync (and fdatasync: the flags do not matter here) makes the file's
// contents durable. After the power is cut it never returns to a live
// writer (see blockFrozen).
func (n *fileNode) Fsync(ctx context.Context, fh fs.FileHandle, flags uint32) syscall.Errno {
	n.lfs.mu.Lock()
	defer n.lfs.mu.Unlock()
	if n.lfs.op() {
		return n.lfs.blockFrozen(ctx)
	}
	n.lfs.stats.Fsyncs++
	n.f.sync()
	return 0
}

func (n *fileNode) Flush(ctx context.Context, fh fs.FileHandle) syscall.Errno { return 0 }
