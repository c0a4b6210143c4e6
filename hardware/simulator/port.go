package simulator

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/portofentry/booth/hardware"
)

// writeTimeout bounds one write to a pty master. The kernel buffers what no
// reader takes; when that buffer is full the bytes are dropped, as they would
// be on a serial line nobody listens to, rather than stalling the scenario.
const writeTimeout = 500 * time.Millisecond

// ErrUnplugged is returned by operations on a device that is unplugged.
var ErrUnplugged = errors.New("device unplugged")

// port is one simulated serial device: a pty pair whose master the simulator
// writes and whose slave path the booth opens.
type port struct {
	dev  hardware.Device
	link string // stable symlink, "" without Options.LinkDir
	log  *slog.Logger

	mu        sync.Mutex // serialises writes so lines never interleave
	master    *os.File   // nil while unplugged
	slave     *os.File
	path      string
	lastWrite time.Time
	dropped   int64
	drained   chan struct{} // closed when the current master's drain goroutine ends
}

func newPort(dev hardware.Device, linkDir string, log *slog.Logger) (*port, error) {
	p := &port{dev: dev, log: log.With("device", string(dev))}
	if linkDir != "" {
		p.link = filepath.Join(linkDir, string(dev))
	}
	if err := p.plug(); err != nil {
		return nil, err
	}
	return p, nil
}

// plug opens a fresh pty and points the link at it. Callers hold p.mu or own
// p exclusively.
func (p *port) plug() error {
	if p.master != nil {
		return nil
	}
	master, slave, err := openRawPTY()
	if err != nil {
		return fmt.Errorf("%s: %w", p.dev, err)
	}
	if p.link != "" {
		if err := relink(slave.Name(), p.link); err != nil {
			master.Close()
			slave.Close()
			return fmt.Errorf("%s: %w", p.dev, err)
		}
	}
	p.master, p.slave, p.path = master, slave, slave.Name()
	p.lastWrite = time.Now()
	// Discard whatever the reader sends to the device so its writes never
	// block; the goroutine ends when the master is closed.
	drained := make(chan struct{})
	p.drained = drained
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, master)
	}()
	p.log.Info("device plugged", "path", p.path, "link", p.link)
	return nil
}

// relink atomically points link at target (create a temporary symlink, then
// rename over the old one) so a reader never finds the link missing.
func relink(target, link string) error {
	tmp := link + ".new"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("link %s: %w", link, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("link %s: %w", link, err)
	}
	return nil
}

// unplug closes the pty: the slave path disappears, a reader that has it open
// reads end-of-file at once (with no read timeout) and its writes fail with
// EIO.
func (p *port) unplug() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.master == nil {
		return fmt.Errorf("%s: %w", p.dev, ErrUnplugged)
	}
	err := p.closePTY()
	p.log.Info("device unplugged", "path", p.path)
	if err != nil {
		return fmt.Errorf("unplug %s: %w", p.dev, err)
	}
	return nil
}

// replug opens a new pty (usually a new path) and re-points the link.
func (p *port) replug() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.plug()
}

// currentPath is the slave path, "" while unplugged.
func (p *port) currentPath() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.master == nil {
		return ""
	}
	return p.path
}

// write sends b as one unit. Writing to an unplugged device loses the bytes,
// as a real device's output is lost while its cable is out; that is not an
// error for the scenario.
func (p *port) write(b []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastWrite = time.Now()
	if p.master == nil {
		return nil
	}
	if err := p.master.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return fmt.Errorf("%s: set write deadline: %w", p.dev, err)
	}
	n, err := p.master.Write(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if p.dropped == 0 {
			p.log.Warn("nobody is reading the device; dropping output", "path", p.path)
		}
		p.dropped += int64(len(b) - n)
		return nil
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", p.dev, err)
	}
	return nil
}

// idleFor reports how long the device has been silent.
func (p *port) idleFor(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return now.Sub(p.lastWrite)
}

func (p *port) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	if p.master != nil {
		err = p.closePTY()
	}
	if p.link != "" {
		if rerr := os.Remove(p.link); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
	}
	if err != nil {
		return fmt.Errorf("close %s: %w", p.dev, err)
	}
	return nil
}

// closePTY closes both ends and waits for the drain goroutine, whose pending
// read holds the master open until it returns: only then is the pty really
// gone (path removed, reader hung up). Callers hold p.mu.
func (p *port) closePTY() error {
	err := errors.Join(p.master.Close(), p.slave.Close())
	<-p.drained
	p.master, p.slave = nil, nil
	return err
}
