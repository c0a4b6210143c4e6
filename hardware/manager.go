package hardware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// DefaultEventBuffer is the default capacity of the Manager's event stream:
// enough to absorb a consumer's pause of a second or so (a disk flush, a
// redraw) at booth event rates without pausing device reads.
const DefaultEventBuffer = 256

// ManagerOptions configures a Manager. Zero values take defaults.
type ManagerOptions struct {
	// Buffer is the capacity of the merged event channel.
	Buffer int
	// Logger receives connection changes and bad frames; nil discards.
	Logger *slog.Logger
}

// Manager runs several devices and merges their events into one stream.
// Add the devices, then call Run; read Events until it is closed.
type Manager struct {
	log    *slog.Logger
	events chan Event

	mu      sync.Mutex
	ports   []*Port
	byDev   map[Device]*Port
	started bool
}

// NewManager returns a Manager with no devices.
func NewManager(opts ManagerOptions) *Manager {
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultEventBuffer
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Manager{
		log:    opts.Logger,
		events: make(chan Event, opts.Buffer),
		byDev:  make(map[Device]*Port),
	}
}

// Add registers a device. It fails on a bad configuration, a device added
// twice, or after Run has started.
func (m *Manager) Add(dev Device, cfg PortConfig, dec Decoder) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started {
		return fmt.Errorf("add device %s: manager already running", dev)
	}
	if _, dup := m.byDev[dev]; dup {
		return fmt.Errorf("add device %s: already added", dev)
	}
	p, err := NewPort(dev, cfg, dec, m.log)
	if err != nil {
		return err // it names the device and the setting
	}
	m.ports = append(m.ports, p)
	m.byDev[dev] = p
	return nil
}

// Events is the merged, typed event stream of every device. It is closed
// when Run returns.
func (m *Manager) Events() <-chan Event { return m.events }

// Run reads every device until ctx is cancelled, then closes Events and
// returns nil. It can be called once.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.started {
		m.mu.Unlock()
		return errors.New("device manager: already started")
	}
	m.started = true
	ports := m.ports
	m.mu.Unlock()
	defer close(m.events)
	if len(ports) == 0 {
		return errors.New("device manager: no devices")
	}
	var wg sync.WaitGroup
	for _, p := range ports {
		wg.Go(func() { _ = p.Run(ctx, m.events) })
	}
	wg.Wait()
	return nil
}

// Health returns the health of dev, and false if dev was not added.
func (m *Manager) Health(dev Device) (Health, bool) {
	m.mu.Lock()
	p, ok := m.byDev[dev]
	m.mu.Unlock()
	if !ok {
		return Health{}, false
	}
	return p.Health(), true
}

// HealthAll returns the health of every device in the order they were added.
func (m *Manager) HealthAll() []Health {
	m.mu.Lock()
	ports := append([]*Port(nil), m.ports...)
	m.mu.Unlock()
	hs := make([]Health, len(ports))
	for i, p := range ports {
		hs[i] = p.Health()
	}
	return hs
}
