package hardware

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/tarm/serial"
)

const (
	// readBufferSize is one read's buffer; the kernel tty buffer is 4 KiB.
	readBufferSize = 4096
	// fastEOF and fastEOFLimit detect a hung-up tty: after a hangup (USB
	// unplug, pty master closed) Linux returns 0 bytes at once instead of
	// waiting VTIME, which tarm/serial reports as io.EOF, just like an idle
	// timeout. A real idle read lasts at least 100 ms.
	fastEOF      = 5 * time.Millisecond
	fastEOFLimit = 3
	// stableAfter is how long a connection must last before the backoff
	// starts again from its minimum, so a flapping device does not spin.
	stableAfter = 2 * time.Second
	// stallWarning is how long a blocked send waits before it logs.
	stallWarning = time.Second
)

// errHungUp is the read loop's verdict on a tty that only returns instant EOFs.
var errHungUp = errors.New("port hung up (device unplugged?)")

// Port reads one serial device: it opens the port, feeds every chunk read to
// the device's Decoder, sends the decoded events, and reopens the port with
// backoff when it goes away. Create it with NewPort and start it with Run.
type Port struct {
	dev    Device
	cfg    PortConfig
	dec    Decoder
	log    *slog.Logger
	health *healthTracker
	frames uint64 // last FrameCounter reading
}

// NewPort checks cfg and returns a Port for dev that decodes with dec. A nil
// logger discards logs.
func NewPort(dev Device, cfg PortConfig, dec Decoder, log *slog.Logger) (*Port, error) {
	if dec == nil {
		return nil, fmt.Errorf("device %s: no decoder", dev)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("device %s: %w", dev, err)
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Port{
		dev:    dev,
		cfg:    cfg,
		dec:    dec,
		log:    log.With("device", string(dev), "path", cfg.Path),
		health: newHealthTracker(dev, cfg.Path, cfg.FaultyAfter, time.Now()),
	}, nil
}

// Device returns the device the port reads.
func (p *Port) Device() Device { return p.dev }

// Health returns a snapshot of the device's health. It is safe to call from
// any goroutine.
func (p *Port) Health() Health { return p.health.snapshot() }

// Run reads the device until ctx is cancelled and returns ctx's error. It
// sends a status event when the port connects or disconnects (including a
// port missing at start), the decoder's events, and nothing after ctx ends.
//
// Backpressure policy: out should be buffered. When it is full, Run blocks
// (until ctx ends) rather than dropping events, because a lost document read
// or RPM alarm is worse than a paused serial line: while Run is blocked the
// bytes wait in the kernel's tty buffer, and only a consumer stalled for
// seconds makes the device overflow it, which the decoder then reports as a
// bad frame. A send blocked for more than a second is logged.
func (p *Port) Run(ctx context.Context, out chan<- Event) error {
	bo := newBackoff(p.cfg.MinBackoff, p.cfg.MaxBackoff)
	down := false // a disconnected status was already sent
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		conn, openPath, err := p.open()
		if err != nil {
			now := time.Now()
			p.health.disconnected(err, false, now)
			if !down {
				p.log.Warn("device not available", "err", err)
				if err := p.send(ctx, out, p.status(StateDisconnected, err.Error(), now)); err != nil {
					return err
				}
				down = true
			} else {
				p.log.Debug("reopen failed", "err", err)
			}
			if err := sleep(ctx, bo.next()); err != nil {
				return err
			}
			continue
		}

		start := time.Now()
		p.health.connected(openPath, start)
		p.log.Info("device connected", "open_path", openPath, "baud", p.cfg.Baud)
		detail := fmt.Sprintf("%s %d %s", openPath, p.cfg.Baud, p.cfg.Framing())
		if err := p.send(ctx, out, p.status(StateConnected, detail, start)); err != nil {
			conn.Close()
			return err
		}
		down = false

		err = p.serve(ctx, conn, openPath, out)
		conn.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		now := time.Now()
		if f, ok := p.dec.(Flusher); ok {
			if err := p.deliver(ctx, out, f.Flush(now), now); err != nil {
				return err
			}
		}
		p.health.disconnected(err, true, now)
		p.log.Warn("device disconnected", "err", err)
		if err := p.send(ctx, out, p.status(StateDisconnected, err.Error(), now)); err != nil {
			return err
		}
		down = true
		if now.Sub(start) >= stableAfter {
			bo.reset()
		}
		if err := sleep(ctx, bo.next()); err != nil {
			return err
		}
	}
}

// open resolves the configured path (it may be a by-id symlink that now
// points elsewhere) and opens the port.
func (p *Port) open() (*serial.Port, string, error) {
	openPath, err := filepath.EvalSymlinks(p.cfg.Path)
	if err != nil {
		return nil, "", fmt.Errorf("resolve %s: %w", p.cfg.Path, err)
	}
	conn, err := serial.OpenPort(p.cfg.serialConfig(openPath))
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", openPath, err)
	}
	// Whatever the device sent while nobody was reading (a card read or a
	// passport swiped before the booth started, or during the unplug) is
	// stale: it belongs to a vehicle long gone, so it is discarded.
	if err := conn.Flush(); err != nil {
		conn.Close()
		return nil, "", fmt.Errorf("flush stale input on %s: %w", openPath, err)
	}
	return conn, openPath, nil
}

// serve reads until the connection fails or ctx ends. It returns why the
// connection is considered lost.
func (p *Port) serve(ctx context.Context, conn io.Reader, openPath string, out chan<- Event) error {
	buf := make([]byte, readBufferSize)
	fast := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		t0 := time.Now()
		n, err := conn.Read(buf)
		now := time.Now()
		if n > 0 {
			fast = 0
			// Copy: a decoder may keep what it is fed.
			chunk := append([]byte(nil), buf[:n]...)
			if err := p.deliver(ctx, out, p.dec.Feed(chunk, now), now); err != nil {
				return err
			}
		}
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF):
			if n == 0 && now.Sub(t0) < fastEOF {
				if fast++; fast >= fastEOFLimit {
					return errHungUp
				}
			} else {
				fast = 0
			}
			if err := p.checkPath(openPath); err != nil {
				return err
			}
			if err := p.deliver(ctx, out, p.dec.Idle(now), now); err != nil {
				return err
			}
		default:
			return fmt.Errorf("read %s: %w", openPath, err)
		}
	}
}

// checkPath reports a device node that vanished or a symlink that was
// re-pointed (the device was replugged and got a new node) while the old
// node still looks open.
func (p *Port) checkPath(openPath string) error {
	now, err := filepath.EvalSymlinks(p.cfg.Path)
	if err != nil {
		return fmt.Errorf("device path gone: %w", err)
	}
	if now != openPath {
		return fmt.Errorf("device path %s now points to %s", p.cfg.Path, now)
	}
	if _, err := os.Stat(openPath); err != nil {
		return fmt.Errorf("device node gone: %w", err)
	}
	return nil
}

// deliver accounts a decoder call's events into the health and sends them.
func (p *Port) deliver(ctx context.Context, out chan<- Event, evs []Event, now time.Time) error {
	silent := 0
	if fc, ok := p.dec.(FrameCounter); ok {
		total := fc.Frames()
		good := 0
		for _, ev := range evs {
			if ev.Kind != KindError && ev.Kind != KindStatus {
				good++
			}
		}
		silent = max(int(total-p.frames)-good, 0)
		p.frames = total
	}
	p.health.account(evs, silent, now)
	for _, ev := range evs {
		if ev.Device == "" {
			ev.Device = p.dev
		}
		if ev.Kind == KindError && ev.Error != nil {
			p.log.Debug("bad frame", "err", ev.Error.Err)
		}
		if err := p.send(ctx, out, ev); err != nil {
			return err
		}
	}
	return nil
}

func (p *Port) status(state, detail string, now time.Time) Event {
	return Event{Device: p.dev, Kind: KindStatus, At: now, Status: &Status{State: state, Detail: detail}}
}

// send delivers ev, blocking while out is full until ctx ends (see Run).
func (p *Port) send(ctx context.Context, out chan<- Event, ev Event) error {
	select {
	case out <- ev:
		return nil
	default:
	}
	t := time.NewTimer(stallWarning)
	defer t.Stop()
	for {
		select {
		case out <- ev:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			p.log.Warn("event consumer is slow; device reads are paused", "kind", string(ev.Kind))
			t.Reset(stallWarning)
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
