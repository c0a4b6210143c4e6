package jetstream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// PortConfig configures a port server's embedded leaf node.
type PortConfig struct {
	// Code is the port code (its domain is port-<code>).
	Code string
	// StoreDir is where the node keeps its JetStream files.
	StoreDir string
	// HubURLs are the hub nodes' leaf listeners (nats-leaf:// or tls://
	// host:port). The node reconnects by itself after a cut.
	HubURLs []string
	// TLS is the port's mutual-TLS configuration (TLSConfig with its
	// port-CODE certificate).
	TLS *tls.Config
	// MaxAckPending bounds the hub consumer's unacknowledged messages
	// (0 means 20,000).
	MaxAckPending int
	// Logger receives the node's log (nil: slog.Default()).
	Logger *slog.Logger
}

// PortNode is a port server's embedded NATS server: a leaf node of the hub
// with JetStream domain port-<code>, holding the port's stream and the
// durable consumer the hub sources it through.
type PortNode struct {
	code string
	srv  *server.Server
	nc   *nats.Conn
	js   jetstream.JetStream
	log  *slog.Logger
}

// StartPort starts the leaf node, waits until it is ready and makes sure
// the port's stream and the hub's durable consumer exist. It does not wait
// for the hub: a port cut off from the hub keeps working.
func StartPort(ctx context.Context, cfg PortConfig) (*PortNode, error) {
	if err := checkPort(cfg.Code); err != nil {
		return nil, err
	}
	if cfg.StoreDir == "" {
		return nil, errors.New("jetstream: port node: no store directory")
	}
	log := orDefault(cfg.Logger).With("component", "port-leaf", "port", cfg.Code)
	var remotes []*server.RemoteLeafOpts
	if len(cfg.HubURLs) > 0 {
		var urls []*url.URL
		for _, raw := range cfg.HubURLs {
			u, err := url.Parse(raw)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("jetstream: hub URL %q: want tls://host:port", raw)
			}
			urls = append(urls, u)
		}
		if cfg.TLS == nil {
			return nil, errors.New("jetstream: port node: a hub link needs the port's TLS configuration")
		}
		remotes = append(remotes, &server.RemoteLeafOpts{
			URLs:              urls,
			TLS:               true,
			TLSConfig:         cfg.TLS.Clone(),
			TLSHandshakeFirst: false,
		})
	}
	opts := &server.Options{
		ServerName:      PortDomain(cfg.Code),
		DontListen:      true,
		JetStream:       true,
		JetStreamDomain: PortDomain(cfg.Code),
		StoreDir:        cfg.StoreDir,
		NoSigs:          true,
		LeafNode: server.LeafNodeOpts{
			Remotes:           remotes,
			ReconnectInterval: 500 * time.Millisecond,
		},
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("jetstream: port node: %w", err)
	}
	srv.SetLoggerV2(natsLogger{log}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("jetstream: port node: not ready after 30 s")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name("port-"+cfg.Code+"-publisher"), nats.MaxReconnects(-1))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("jetstream: port node: connect: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, fmt.Errorf("jetstream: port node: %w", err)
	}
	p := &PortNode{code: cfg.Code, srv: srv, nc: nc, js: js, log: log}
	if err := p.ensure(ctx, cfg.MaxAckPending); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// ensure creates or updates the port stream and the hub's consumer.
func (p *PortNode) ensure(ctx context.Context, maxAck int) error {
	if maxAck <= 0 {
		maxAck = 20_000
	}
	_, err := p.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        PortStream(p.code),
		Description: "events committed by port " + p.code,
		Subjects:    []string{PortSubject(p.code)},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    1,
		Duplicates:  2 * time.Minute,
	})
	if err != nil {
		return fmt.Errorf("jetstream: port stream %s: %w", PortStream(p.code), err)
	}
	// Durable sourcing: the hub's source names this consumer and only
	// resets it on reconnect, which resumes in about a second where a
	// plain source waits out fixed retry timers. Flow-control acks and a
	// 1 s heartbeat are what the server requires of such a consumer.
	_, err = p.js.CreateOrUpdatePushConsumer(ctx, PortStream(p.code), jetstream.ConsumerConfig{
		Durable:        HubConsumer,
		Description:    "the hub's durable source of port " + p.code,
		DeliverSubject: PortDeliverSubject(p.code),
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		AckPolicy:      jetstream.AckFlowControlPolicy,
		FlowControl:    true,
		IdleHeartbeat:  time.Second,
		MaxAckPending:  maxAck,
	})
	if err != nil {
		return fmt.Errorf("jetstream: hub consumer on %s: %w", PortStream(p.code), err)
	}
	return nil
}

// Code is the port code.
func (p *PortNode) Code() string { return p.code }

// JetStream is the node's JetStream context (its own domain).
func (p *PortNode) JetStream() jetstream.JetStream { return p.js }

// Conn is the in-process connection to the node.
func (p *PortNode) Conn() *nats.Conn { return p.nc }

// HubConnected reports whether the leaf link to the hub is up.
func (p *PortNode) HubConnected() bool { return p.srv.NumLeafNodes() > 0 }

// Close stops the node (its stream is on disk).
func (p *PortNode) Close() {
	if p.nc != nil {
		p.nc.Close()
	}
	p.srv.Shutdown()
	p.srv.WaitForShutdown()
}
