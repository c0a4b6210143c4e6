//go:build race

package jetstream_test

// raceEnabled: the multi-node scenario is skipped under -race (it would
// take minutes); the unit tests run.
const raceEnabled = true
