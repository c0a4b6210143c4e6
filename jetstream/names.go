package jetstream

import (
	"fmt"
	"regexp"
)

// Names of streams, subjects, consumers and headers. Subjects stay per port
// (port.<code>.>): every port shares one subject space with the hub across
// its leaf link, so a port may only ever use its own prefix.
const (
	// CrossingsStream is the hub's national stream: no subjects of its own,
	// it sources every port's stream.
	CrossingsStream = "CROSSINGS"
	// LSSAnswersStream holds LSS scientists' answers (subjects
	// lss.answers.<port>); each port sources its own subject back down.
	LSSAnswersStream = "LSS_ANSWERS"
	// HubDomain is the hub cluster's JetStream domain.
	HubDomain = "hub"
	// HubConsumer is the durable push consumer each port creates on its
	// stream and the hub's source names (durable sourcing).
	HubConsumer = "HUB"
	// FeedVersionHeader carries the port store's feed version of the event
	// in the message: the publisher's cursor after a restart.
	FeedVersionHeader = "Port-Feed-Version"
	// KindHeader carries the event kind, so the indexer can refuse a
	// forbidden kind without decoding the payload.
	KindHeader = "Event-Kind"
	// sourceHeader is the header JetStream stamps on a sourced message:
	// "<stream> <source sequence> …".
	sourceHeader = "Nats-Stream-Source"
)

// Request/reply subjects of the national services. Every hub node answers
// them in the queue group ServiceQueue, so any one node answers each
// request. A port's leaf credentials may publish to the history subject.
const (
	// StatusSubject answers a Status (hub status).
	StatusSubject = "national.status"
	// HistorySubject answers a HistoryRequest with a HistoryReply.
	HistorySubject = "national.history"
	// LSSQueueSubject is reserved for the LSS reachback queue (a request
	// answers the unanswered lss.requested events across ports).
	LSSQueueSubject = "national.lss.queue"
	// ServiceQueue is the queue group of the hub nodes' responders.
	ServiceQueue = "national"
)

var portCode = regexp.MustCompile(`^[A-Za-z0-9]{1,16}$`)

// ValidPortCode reports whether code can name a port in subjects, stream
// names and JetStream domains (letters and digits, at most 16).
func ValidPortCode(code string) bool { return portCode.MatchString(code) }

// PortDomain is the JetStream domain of port code's leaf node.
func PortDomain(code string) string { return "port-" + code }

// PortStream is the name of port code's stream.
func PortStream(code string) string { return "PORT_" + code }

// PortSubject is the subject port code publishes its events on.
func PortSubject(code string) string { return "port." + code + ".events" }

// PortDeliverSubject is where port code's HUB consumer delivers to the hub.
func PortDeliverSubject(code string) string { return "port." + code + ".hub" }

// PortAPIPrefix is the JetStream API prefix of port code's domain as seen
// from the hub across the leaf link.
func PortAPIPrefix(code string) string { return "$JS." + PortDomain(code) + ".API" }

// LSSAnswerSubject is the subject of LSS answers for port code.
func LSSAnswerSubject(code string) string { return "lss.answers." + code }

// IndexConsumer is the durable consumer hub node name reads CROSSINGS with.
func IndexConsumer(node string) string { return "index-" + node }

// PortUser is the user a port's leaf certificate maps to at the hub.
func PortUser(code string) string { return "port-" + code }

// checkPort returns an error naming code when it is not a valid port code.
func checkPort(code string) error {
	if !ValidPortCode(code) {
		return fmt.Errorf("jetstream: port code %q: letters and digits only, at most 16", code)
	}
	return nil
}
