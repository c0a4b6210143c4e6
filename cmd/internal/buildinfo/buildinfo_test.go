package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfoAndString(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "3f08b23c1d2e4f5a6b7c8d9e0f1a2b3c4d5e6f70"
	for _, c := range []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"release build, clean tree",
			debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"},
				Settings: vcs("vcs.revision", rev, "vcs.time", "2026-11-30T12:03:15Z", "vcs.modified", "false")},
			"booth v1.4.0 (3f08b23c1d2e, 2026-11-30T12:03:15Z) go1.26.8"},
		{"uncommitted changes",
			debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
				Settings: vcs("vcs.revision", rev, "vcs.time", "2026-11-30T12:03:15Z", "vcs.modified", "true")},
			"booth (devel) (3f08b23c1d2e+dirty, 2026-11-30T12:03:15Z) go1.26.8"},
		{"time in another zone is shown in UTC",
			debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"},
				Settings: vcs("vcs.revision", "abc", "vcs.time", "2026-11-30T07:03:15-05:00")},
			"booth v1.4.0 (abc, 2026-11-30T12:03:15Z) go1.26.8"},
		{"unparsable time is left out",
			debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"},
				Settings: vcs("vcs.revision", rev, "vcs.time", "yesterday")},
			"booth v1.4.0 (3f08b23c1d2e) go1.26.8"},
		{"no VCS stamp (go run, go test)",
			debug.BuildInfo{GoVersion: "go1.26.8"},
			"booth (devel) go1.26.8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := FromBuildInfo(&c.bi).String("booth"); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestReadRunningBinary(t *testing.T) {
	i := Read()
	if i.GoVersion != runtime.Version() {
		t.Errorf("GoVersion = %q, want %q", i.GoVersion, runtime.Version())
	}
	if s := i.String("x"); !strings.HasPrefix(s, "x ") || !strings.HasSuffix(s, runtime.Version()) {
		t.Errorf("String = %q", s)
	}
}
