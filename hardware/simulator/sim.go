package simulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/portofentry/booth/hardware"
)

// Idle traffic intervals, in scenario time.
const (
	rfidHeartbeatEvery = 2 * time.Second // "(No Tags)" while no tag is read
	rpmBackgroundEvery = 5 * time.Second // GB/NB while the lane is empty
	idleTick           = 100 * time.Millisecond
)

// Options configures a simulator.
type Options struct {
	// Speed scales every scenario duration: 2 plays twice as fast. 0 means 1.
	Speed float64
	// LinkDir, when set, gets stable symlinks DIR/doc, DIR/rfid, DIR/rpm and
	// DIR/lpr to the current pty paths, re-pointed on replug.
	LinkDir string
	// Quiet turns off idle traffic (RFID "(No Tags)" heartbeats and RPM
	// background counts), so a reader sees only what scenarios send.
	Quiet bool
	// Seed makes garbage bytes and pauses between looped scenarios
	// reproducible. 0 picks a random seed.
	Seed uint64
	// MatcherAddr is where the face matcher listens; default 127.0.0.1:0.
	MatcherAddr string
	// Logger receives the simulator's logs; default slog.Default().
	Logger *slog.Logger
	// Now is the clock for wire timestamps; default time.Now.
	Now func() time.Time
}

// Paths says where the booth finds each simulated device: serial device
// paths (the stable links when Options.LinkDir is set) and the matcher's base
// URL.
type Paths struct {
	Doc     string `json:"doc"`
	RFID    string `json:"rfid"`
	RPM     string `json:"rpm"`
	LPR     string `json:"lpr"`
	Matcher string `json:"matcher"`
}

// Sim is a running simulator. Its methods are safe for concurrent use; Play
// calls run one at a time.
type Sim struct {
	opts    Options
	log     *slog.Logger
	ports   map[hardware.Device]*port
	matcher *matcher
	srv     *http.Server
	url     string

	rngMu     sync.Mutex
	rng       *rand.Rand
	occupancy int // last RPM occupancy number

	playMu sync.Mutex // one scenario at a time

	stop      context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start creates one pseudo-terminal per device, starts the matcher on
// loopback and the idle traffic. Everything stops when ctx is cancelled or
// Close is called.
func Start(ctx context.Context, opts Options) (*Sim, error) {
	if opts.Speed < 0 {
		return nil, fmt.Errorf("simulator: speed %g is negative", opts.Speed)
	}
	if opts.Speed == 0 {
		opts.Speed = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MatcherAddr == "" {
		opts.MatcherAddr = "127.0.0.1:0"
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()
	}
	s := &Sim{
		opts:  opts,
		log:   opts.Logger.With("component", "devsim"),
		ports: map[hardware.Device]*port{},
		rng:   rand.New(rand.NewPCG(opts.Seed, 0xdef5)),
		// Occupancy numbers continue from where a real portal might be.
		occupancy: 4100,
	}
	s.matcher = newMatcher(s.log, opts.Now)
	if opts.LinkDir != "" {
		if err := os.MkdirAll(opts.LinkDir, 0o755); err != nil {
			return nil, fmt.Errorf("simulator: link dir: %w", err)
		}
	}
	for _, dev := range allDevices {
		p, err := newPort(dev, opts.LinkDir, s.log)
		if err != nil {
			s.closePorts()
			return nil, fmt.Errorf("simulator: %w", err)
		}
		s.ports[dev] = p
	}
	ln, err := net.Listen("tcp", opts.MatcherAddr)
	if err != nil {
		s.closePorts()
		return nil, fmt.Errorf("simulator: matcher listen: %w", err)
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler:           s.matcher.handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	runCtx, stop := context.WithCancel(ctx)
	s.stop = stop
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("matcher stopped", "err", err)
		}
	}()
	go func() {
		defer s.wg.Done()
		s.idleLoop(runCtx)
	}()
	// Cancelling ctx closes the simulator.
	context.AfterFunc(runCtx, func() { _ = s.shutdown() })
	s.log.Info("simulator started", "paths", s.Paths(), "speed", opts.Speed, "seed", opts.Seed)
	return s, nil
}

// Paths returns where the devices are now: the links when Options.LinkDir is
// set (stable across replugs), otherwise the current pty paths ("" for an
// unplugged device).
func (s *Sim) Paths() Paths {
	if s.opts.LinkDir != "" {
		return Paths{
			Doc: s.ports[hardware.DeviceDoc].link, RFID: s.ports[hardware.DeviceRFID].link,
			RPM: s.ports[hardware.DeviceRPM].link, LPR: s.ports[hardware.DeviceLPR].link,
			Matcher: s.url,
		}
	}
	return s.PTYPaths()
}

// PTYPaths returns the current pseudo-terminal paths, "" for an unplugged
// device.
func (s *Sim) PTYPaths() Paths {
	return Paths{
		Doc: s.ports[hardware.DeviceDoc].currentPath(), RFID: s.ports[hardware.DeviceRFID].currentPath(),
		RPM: s.ports[hardware.DeviceRPM].currentPath(), LPR: s.ports[hardware.DeviceLPR].currentPath(),
		Matcher: s.url,
	}
}

// Unplug closes dev's pty: its path disappears, a reader that has it open
// reads end-of-file immediately and its writes fail with EIO.
func (s *Sim) Unplug(dev hardware.Device) error {
	p, ok := s.ports[dev]
	if !ok {
		return fmt.Errorf("unplug: unknown device %q", dev)
	}
	return p.unplug()
}

// Replug gives dev a new pty (usually a new path) and re-points its link.
// Replugging a plugged device does nothing.
func (s *Sim) Replug(dev hardware.Device) error {
	p, ok := s.ports[dev]
	if !ok {
		return fmt.Errorf("replug: unknown device %q", dev)
	}
	return p.replug()
}

// Close stops the matcher and the idle traffic, closes every pty and removes
// the links. It waits for the simulator's goroutines.
func (s *Sim) Close() error {
	err := s.shutdown()
	s.wg.Wait()
	return err
}

func (s *Sim) shutdown() error {
	s.closeOnce.Do(func() {
		s.stop()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := s.srv.Shutdown(ctx)
		s.closeErr = errors.Join(err, s.closePorts())
		s.log.Info("simulator stopped")
	})
	return s.closeErr
}

func (s *Sim) closePorts() error {
	var errs []error
	for _, p := range s.ports {
		errs = append(errs, p.close())
	}
	return errors.Join(errs...)
}

// scale converts scenario time to wall time.
func (s *Sim) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.opts.Speed)
}

// idleLoop sends what idle devices send: RFID heartbeats and RPM background.
func (s *Sim) idleLoop(ctx context.Context) {
	if s.opts.Quiet {
		return
	}
	t := time.NewTicker(s.scale(idleTick))
	defer t.Stop()
	rfid, rpm := s.ports[hardware.DeviceRFID], s.ports[hardware.DeviceRPM]
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if rfid.idleFor(now) >= s.scale(rfidHeartbeatEvery) {
				s.logWriteErr(rfid.write([]byte(RFIDHeartbeat)))
			}
			if rpm.idleFor(now) >= s.scale(rpmBackgroundEvery) {
				s.logWriteErr(rpm.write(s.withRNG(rpmBackground)))
			}
		}
	}
}

func (s *Sim) logWriteErr(err error) {
	if err != nil {
		s.log.Warn("idle traffic", "err", err)
	}
}

// withRNG runs f with the simulator's random source held.
func (s *Sim) withRNG(f func(*rand.Rand) []byte) []byte {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return f(s.rng)
}
