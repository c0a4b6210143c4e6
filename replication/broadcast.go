package replication

import "sync"

// broadcaster wakes every waiter at once: waiters take the current channel
// before they look for news, and Notify closes it and starts a new one, so
// a commit between the look and the wait is never missed.
type broadcaster struct {
	mu sync.Mutex
	ch chan struct{}
}

func newBroadcaster() *broadcaster { return &broadcaster{ch: make(chan struct{})} }

// C returns the channel the next Notify closes.
func (b *broadcaster) C() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

// Notify wakes every current waiter.
func (b *broadcaster) Notify() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.ch)
	b.ch = make(chan struct{})
}
