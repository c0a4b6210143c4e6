package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// HubConfig configures one node of the hub cluster.
type HubConfig struct {
	// Name is the node's name (its certificate NAME.crt and its index
	// consumer's name).
	Name string
	// DataDir holds the node's JetStream files (DataDir/jetstream).
	DataDir string
	// Client, Cluster and Leaf are the listen addresses (host:port; port 0
	// picks a free one, reported by Addresses).
	Client, Cluster, Leaf string
	// Cluster "" runs a single node without a cluster (development and
	// tests; set Replicas 1).
	// Routes are the other nodes' cluster URLs (tls://host:port or
	// nats://host:port; TLS is used either way).
	Routes []string
	// PKIDir holds ca.crt, NAME.crt/key and the issued port certificates:
	// each port-CODE.crt there is a port the hub accepts and sources.
	PKIDir string
	// Replicas of CROSSINGS and LSS_ANSWERS (0 means 3).
	Replicas int
	// Logger (nil: slog.Default()).
	Logger *slog.Logger
}

// HubNode is one running hub node: its NATS server and a client
// connection to it.
type HubNode struct {
	cfg   HubConfig
	srv   *server.Server
	nc    *nats.Conn
	js    jetstream.JetStream
	ports []string
	log   *slog.Logger

	leafHost string
	leafPort int
}

// Addresses are where a hub node listens.
type Addresses struct {
	Client  string `json:"client"`
	Cluster string `json:"cluster"`
	Leaf    string `json:"leaf"`
}

// StartHub starts the node's NATS server (JetStream domain hub, cluster
// "hub" over mutual TLS, a mutual-TLS leaf listener mapping each port's
// certificate to that port's user) and connects to it. The streams are
// made by EnsureStreams once the cluster has a leader.
func StartHub(cfg HubConfig) (*HubNode, error) {
	if !certName.MatchString(cfg.Name) {
		return nil, fmt.Errorf("jetstream: hub node name %q: letters, digits, - and _ only", cfg.Name)
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 3
	}
	log := orDefault(cfg.Logger).With("component", "hub", "node", cfg.Name)
	tlsConf, err := TLSConfig(cfg.PKIDir, CertNode, cfg.Name)
	if err != nil {
		return nil, err
	}
	ports, err := IssuedPorts(cfg.PKIDir)
	if err != nil {
		return nil, err
	}
	host, port, err := splitHostPort(cfg.Client)
	if err != nil {
		return nil, fmt.Errorf("jetstream: --client: %w", err)
	}
	var chost string
	var cport int
	if cfg.Cluster != "" {
		if chost, cport, err = splitHostPort(cfg.Cluster); err != nil {
			return nil, fmt.Errorf("jetstream: --cluster: %w", err)
		}
	}
	lhost, lport, err := splitHostPort(cfg.Leaf)
	if err != nil {
		return nil, fmt.Errorf("jetstream: --leaf: %w", err)
	}
	var routes []*url.URL
	for _, r := range cfg.Routes {
		if r == "" {
			continue
		}
		u, err := url.Parse(r)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("jetstream: route %q: want tls://host:port", r)
		}
		u.Scheme = "tls"
		routes = append(routes, u)
	}
	// The NATS server applies permissions to a leaf link only through the
	// server's own users (leaf-only users carry none): each port is a user
	// its certificate maps to; the hub's own connections and the client
	// listener (status, history; bind it to a management network) use the
	// unrestricted "hub" user.
	users := []*server.User{{Username: hubUser}}
	for _, code := range ports {
		users = append(users, &server.User{Username: PortUser(code), Permissions: portPermissions(code)})
	}
	leafTLS := tlsConf.Clone()
	opts := &server.Options{
		ServerName:      cfg.Name,
		Host:            host,
		Port:            port,
		JetStream:       true,
		JetStreamDomain: HubDomain,
		StoreDir:        filepath.Join(cfg.DataDir, "jetstream"),
		NoSigs:          true,
		Users:           users,
		NoAuthUser:      hubUser,
		LeafNode: server.LeafNodeOpts{
			Host:       lhost,
			Port:       lport,
			TLSConfig:  leafTLS,
			TLSTimeout: 5,
			TLSMap:     true,
			// Ports dial the leaf URLs they are configured with, never
			// addresses the cluster gossips (which may not be reachable
			// from a port, and would bypass the path an operator cut).
			NoAdvertise: true,
		},
	}
	if cfg.Cluster != "" {
		opts.Cluster = server.ClusterOpts{Name: "hub", Host: chost, Port: cport, TLSConfig: tlsConf.Clone(), TLSTimeout: 5}
		opts.Routes = routes
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("jetstream: hub node %s: %w", cfg.Name, err)
	}
	srv.SetLoggerV2(natsLogger{log}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("jetstream: hub node %s: not ready after 30 s", cfg.Name)
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name(cfg.Name+"-internal"), nats.MaxReconnects(-1))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("jetstream: hub node %s: connect: %w", cfg.Name, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, fmt.Errorf("jetstream: hub node %s: %w", cfg.Name, err)
	}
	return &HubNode{cfg: cfg, srv: srv, nc: nc, js: js, ports: ports, log: log, leafHost: lhost, leafPort: lport}, nil
}

// hubUser is the unrestricted user of the hub's own and local clients.
const hubUser = "hub"

// portPermissions confine a port's leaf link to its own subjects: it may
// answer the hub's requests to its own JetStream domain and deliver its own
// stream, ask for national history, and receive replies; it cannot publish
// into another port's subjects or into LSS answers, nor pose as another
// port's JetStream domain. (From the leaf's side: publish is what it sends
// into the hub, subscribe what it may receive.)
func portPermissions(code string) *server.Permissions {
	return &server.Permissions{
		Publish: &server.SubjectPermission{
			Allow: []string{"port." + code + ".>", "_INBOX.>", "$JSC.R.>", HistorySubject},
			Deny:  []string{"lss.answers.>"},
		},
		Subscribe: &server.SubjectPermission{
			Allow: []string{PortAPIPrefix(code) + ".>", "port." + code + ".>", "_INBOX.>", "$JS.FC.>",
				LSSAnswerSubject(code)},
		},
	}
}

// Addresses returns where the node listens.
func (h *HubNode) Addresses() Addresses {
	a := Addresses{}
	if u := h.srv.ClientURL(); u != "" {
		a.Client = u
	}
	if addr := h.srv.ClusterAddr(); addr != nil {
		a.Cluster = "tls://" + addr.String()
	}
	a.Leaf = "tls://" + net.JoinHostPort(h.leafHost, strconv.Itoa(h.leafPort))
	return a
}

// Name is the node's name.
func (h *HubNode) Name() string { return h.cfg.Name }

// Ports are the port codes the node accepts and sources.
func (h *HubNode) Ports() []string { return append([]string(nil), h.ports...) }

// Conn is the node's in-process client connection.
func (h *HubNode) Conn() *nats.Conn { return h.nc }

// JetStream is the node's JetStream context (domain hub).
func (h *HubNode) JetStream() jetstream.JetStream { return h.js }

// LeafCount is how many leaf links (ports) this node holds.
func (h *HubNode) LeafCount() int { return h.srv.NumLeafNodes() }

// Close stops the node.
func (h *HubNode) Close() {
	h.nc.Close()
	h.srv.Shutdown()
	h.srv.WaitForShutdown()
}

// EnsureStreams creates or updates CROSSINGS (sourcing every issued port's
// stream through its HUB consumer) and LSS_ANSWERS, retrying until the
// cluster can place them (a fresh cluster needs all its peers and a meta
// leader first) or ctx ends.
func (h *HubNode) EnsureStreams(ctx context.Context) error {
	var last error
	for {
		err := h.ensureStreams(ctx)
		if err == nil {
			return nil
		}
		if !errors.Is(err, last) {
			h.log.Debug("streams not placed yet", "err", err)
		}
		last = err
		if !sleep(ctx, 500*time.Millisecond) {
			return fmt.Errorf("jetstream: hub streams: %w", last)
		}
	}
}

func (h *HubNode) ensureStreams(ctx context.Context) error {
	sources := make([]*jetstream.StreamSource, 0, len(h.ports))
	for _, code := range h.ports {
		sources = append(sources, CrossingsSource(code))
	}
	// A request sent before the cluster has a meta leader is never
	// answered: keep each attempt short.
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := h.js.AccountInfo(cctx); err != nil {
		return fmt.Errorf("jetstream not ready: %w", err)
	}
	_, err := h.js.CreateOrUpdateStream(cctx, jetstream.StreamConfig{
		Name:        CrossingsStream,
		Description: "every port's events (the master crossing record)",
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    h.cfg.Replicas,
		Sources:     sources,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", CrossingsStream, err)
	}
	cctx2, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	_, err = h.js.CreateOrUpdateStream(cctx2, jetstream.StreamConfig{
		Name:        LSSAnswersStream,
		Description: "LSS scientists' answers, one subject per port",
		Subjects:    []string{"lss.answers.*"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    h.cfg.Replicas,
		Duplicates:  10 * time.Minute,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", LSSAnswersStream, err)
	}
	return nil
}

// CrossingsSource is CROSSINGS's source of port code: its stream in its
// own domain across the leaf link, read through its durable HUB consumer.
func CrossingsSource(code string) *jetstream.StreamSource {
	return &jetstream.StreamSource{
		Name:     PortStream(code),
		External: &jetstream.ExternalStream{APIPrefix: PortAPIPrefix(code)},
		Consumer: &jetstream.StreamConsumerSource{Name: HubConsumer, DeliverSubject: PortDeliverSubject(code)},
	}
}

func splitHostPort(hp string) (string, int, error) {
	host, p, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 65535 {
		return "", 0, fmt.Errorf("port %q", p)
	}
	if n == 0 {
		// The NATS server reads 0 as "the default port", and it cannot
		// tell the leaf listener's chosen port: pick a free one here.
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return "", 0, err
		}
		n = ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
	}
	return host, n, nil
}
