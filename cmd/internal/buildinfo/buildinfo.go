// Package buildinfo reports what a binary was built from, for the commands'
// --version: the module version, the VCS revision and its time, whether the
// work tree had uncommitted changes, and the Go toolchain.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Info is what the Go toolchain stamped into the binary.
type Info struct {
	Version   string    // module version, "(devel)" when built without one
	Revision  string    // VCS revision, shortened; empty when not stamped
	Time      time.Time // commit time of Revision; zero when not stamped
	Modified  bool      // the work tree had uncommitted changes
	GoVersion string    // toolchain that built the binary
}

// shortRevision is as long as the revision in a Go pseudo-version.
const shortRevision = 12

// Read returns the running binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "(devel)", GoVersion: runtime.Version()}
	}
	return FromBuildInfo(bi)
}

// FromBuildInfo extracts Info from the toolchain's build information.
func FromBuildInfo(bi *debug.BuildInfo) Info {
	i := Info{Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if i.Version == "" {
		i.Version = "(devel)"
	}
	if i.GoVersion == "" {
		i.GoVersion = runtime.Version()
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
			if len(i.Revision) > shortRevision {
				i.Revision = i.Revision[:shortRevision]
			}
		case "vcs.time":
			// An unparsable time is left out rather than failing --version.
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				i.Time = t.UTC()
			}
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}

// String is the one line --version prints for the named command, e.g.
// "booth v1.4.0 (3f08b23c1d2e+dirty, 2026-11-30T12:03:15Z) go1.26.8".
func (i Info) String(command string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", command, i.Version)
	if i.Revision != "" {
		rev := i.Revision
		if i.Modified {
			rev += "+dirty"
		}
		if !i.Time.IsZero() {
			rev += ", " + i.Time.Format(time.RFC3339)
		}
		fmt.Fprintf(&b, " (%s)", rev)
	}
	fmt.Fprintf(&b, " %s", i.GoVersion)
	return b.String()
}
