package hardware

import "time"

// FrameCounter is optionally implemented by a Decoder whose good frames do
// not all become events (heartbeats, suppressed duplicate reads, reads below
// a signal floor). Frames returns the cumulative number of good frames
// recognised, including those that became events. The port uses it for the
// device's health: a reader that only sends heartbeats is alive.
type FrameCounter interface {
	Frames() uint64
}

// Flusher is optionally implemented by a Decoder that holds partial frames.
// The port calls Flush when the connection drops, so the partial frame is
// reported (as an error event) instead of being glued to the first bytes of
// the next connection.
type Flusher interface {
	Flush(now time.Time) []Event
}
