package lazyfs

import (
	"os"
	"testing"
)

// MountForTest mounts f at dir for a test and unmounts it at cleanup. It
// skips the test, with the reason, only where FUSE cannot be tried at all
// (no /dev/fuse, or neither root nor fusermount). A refused mount is a skip
// on a developer machine but a failure under CI=true, where .ci/run
// installs fuse3: a CI that silently stopped testing power loss would look
// green.
func MountForTest(t testing.TB, f *FS, dir string) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("CI") == "true" && fuseDeviceExists() {
			t.Fatalf("CI=true and /dev/fuse exists, but: %v", err)
		}
		t.Skipf("power-loss file system not available here: %v", err)
	}
	if err := f.Mount(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and /dev/fuse exists, but the mount was refused: %v", err)
		}
		t.Skipf("mount refused (not under CI, so skipping): %v", err)
	}
	t.Cleanup(func() {
		if err := f.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
}

func fuseDeviceExists() bool {
	_, err := os.Stat("/dev/fuse")
	return err == nil
}
