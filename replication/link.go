package replication

import (
	"context"
	"errors"
	"sync"
)

// Link is a workstation's whole connection to the port server: the outbox
// sender and the feed puller, sharing one Status.
//
// Wiring in a workstation program:
//
//	link, err := replication.NewLink(sender, puller) // configs with the same Client
//	go link.Run(ctx)
//	go func() { for st := range link.Updates(ctx.Done()) { program.Send(st) } }()
//	... after each store.Append: link.Notify()
type Link struct {
	board  *statusBoard
	sender *Sender
	puller *Puller
}

// LinkConfig holds the two halves; either may be left out (nil Store in
// it) — a workstation that only listens, or a tool that only sends.
type LinkConfig struct {
	Sender *SenderConfig
	Puller *PullerConfig
}

// NewLink builds the sender and puller of cfg around one status board.
func NewLink(cfg LinkConfig) (*Link, error) {
	l := &Link{board: newStatusBoard()}
	var err error
	if cfg.Sender != nil {
		if l.sender, err = newSender(*cfg.Sender, l.board); err != nil {
			return nil, err
		}
	}
	if cfg.Puller != nil {
		if l.puller, err = newPuller(*cfg.Puller, l.board); err != nil {
			return nil, err
		}
	}
	if l.sender == nil && l.puller == nil {
		return nil, errors.New("replication: link with neither sender nor puller")
	}
	return l, nil
}

// Run runs both halves until ctx is cancelled.
func (l *Link) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if l.sender != nil {
		wg.Go(func() { _ = l.sender.Run(ctx) })
	}
	if l.puller != nil {
		wg.Go(func() { _ = l.puller.Run(ctx) })
	}
	wg.Wait()
	return nil
}

// Notify tells the sender that new events were committed. It never blocks.
func (l *Link) Notify() {
	if l.sender != nil {
		l.sender.Notify()
	}
}

// Status returns the current status.
func (l *Link) Status() Status { return l.board.Snapshot() }

// Updates returns a channel of status snapshots (the latest one wins when
// the reader is slow), closed when done is closed.
func (l *Link) Updates(done <-chan struct{}) <-chan Status { return l.board.Subscribe(done) }
