// Package jetstream is the national tier adapter (docs/design.md §9): every
// port server publishes the events it commits to its own JetStream stream
// on an embedded leaf node, and a three-node hub cluster sources every
// port's stream into one replicated stream, CROSSINGS, that each hub node
// indexes into its own national history.
//
// The port side (PortNode, Publisher) reads the port store's feed through
// FeedSource; the hub side (HubNode, Indexer, Service) writes and reads the
// national index through NationalIndex. Both are interfaces this package
// owns, so it never imports a store: a command wires the SQLite store in.
package jetstream
