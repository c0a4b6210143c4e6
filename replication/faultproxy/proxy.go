// Package faultproxy is a TCP proxy on loopback that injects the network
// faults replication must survive: partitions, delay, and connections cut
// after the server has answered but before the answer reaches the client
// (so the server has committed a batch whose ack is lost). It sees only
// bytes — TLS stays end to end — and is meant for tests and soak scripts.
package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards connections from its listener to a target address.
type Proxy struct {
	ln     net.Listener
	target string
	log    *slog.Logger

	mu          sync.Mutex
	partitioned bool
	delay       time.Duration
	dropArmed   int // responses still to cut
	dropMinReq  int // client bytes since the last server bytes that make the next server bytes "a response"
	conns       map[*pair]struct{}

	// Counters, for tests to check that faults really happened.
	Accepted atomic.Int64
	Refused  atomic.Int64
	Cut      atomic.Int64 // connections cut by a partition or CutAll
	Dropped  atomic.Int64 // responses dropped (ack loss)

	wg sync.WaitGroup
}

// Start listens on 127.0.0.1 (a free port) and forwards to target.
func Start(target string, log *slog.Logger) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Proxy{ln: ln, target: target, log: log, conns: map[*pair]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address (host:port).
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Close stops the proxy and cuts every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.CutAll()
	p.wg.Wait()
	return err
}

// Partition cuts every connection and refuses new ones while on.
func (p *Proxy) Partition(on bool) {
	p.mu.Lock()
	p.partitioned = on
	p.mu.Unlock()
	if on {
		p.CutAll()
	}
}

// SetDelay delays every chunk forwarded, in either direction, by d.
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// DropResponses arms the proxy to cut the next n responses: server bytes
// that follow at least minRequest client bytes since the server last sent
// anything. Over HTTP/1.1 that is the answer to a request of at least
// minRequest bytes, which the server sends only after its commit: the
// connection is cut with the answer unread, so the ack is lost.
func (p *Proxy) DropResponses(n, minRequest int) {
	p.mu.Lock()
	p.dropArmed, p.dropMinReq = n, minRequest
	p.mu.Unlock()
}

// SetTarget points new connections at addr (a restarted server on another
// port); open connections are cut.
func (p *Proxy) SetTarget(addr string) {
	p.mu.Lock()
	p.target = addr
	p.mu.Unlock()
	p.CutAll()
}

// CutAll closes every open connection (both sides), like a reset link.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	conns := make([]*pair, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.close()
		p.Cut.Add(1)
	}
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				p.log.Warn("faultproxy: accept", "err", err)
			}
			return
		}
		p.mu.Lock()
		refused := p.partitioned
		p.mu.Unlock()
		if refused {
			p.Refused.Add(1)
			client.Close()
			continue
		}
		p.Accepted.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(client)
		}()
	}
}

// pair is one proxied connection.
type pair struct {
	client, server net.Conn
	once           sync.Once
	// reqBytes counts client bytes since the server last sent any.
	reqBytes atomic.Int64
}

func (c *pair) close() {
	c.once.Do(func() {
		c.client.Close()
		c.server.Close()
	})
}

func (p *Proxy) serve(client net.Conn) {
	p.mu.Lock()
	target := p.target
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	server, err := (&net.Dialer{}).DialContext(ctx, "tcp", target)
	cancel()
	if err != nil {
		client.Close()
		return
	}
	c := &pair{client: client, server: server}
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.close()
	}()
	done := make(chan struct{}, 2)
	go func() { p.pump(c, client, server, true); done <- struct{}{} }()
	go func() { p.pump(c, server, client, false); done <- struct{}{} }()
	<-done
	c.close()
	<-done
}

// pump copies src to dst chunk by chunk, applying the faults in force.
func (p *Proxy) pump(c *pair, src, dst net.Conn, fromClient bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			delay, drop := p.delay, false
			if fromClient {
				c.reqBytes.Add(int64(n))
			} else {
				if p.dropArmed > 0 && c.reqBytes.Load() >= int64(p.dropMinReq) {
					p.dropArmed--
					drop = true
				}
				c.reqBytes.Store(0)
			}
			p.mu.Unlock()
			if drop {
				p.Dropped.Add(1)
				p.log.Info("faultproxy: response dropped and connection cut")
				c.close()
				return
			}
			if delay > 0 {
				time.Sleep(delay)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return
			}
			// Half-close so the peer sees EOF, as TCP would.
			if tc, ok := dst.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			return
		}
	}
}
