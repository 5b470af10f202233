package rig

import (
	"testing"

	"github.com/wsbuild/wsbuild/internal/testenv"
)

// ForTest starts a rig in t.TempDir() and closes it when the test ends. The
// test is left out only where testenv allows (under -short, outside CI);
// everywhere else a rig that cannot start fails it.
func ForTest(t testing.TB) *Rig {
	t.Helper()
	testenv.NeedsRealRig(t)
	r, err := Start(t.Context(), WithDir(t.TempDir()))
	if err != nil {
		t.Fatalf("starting the test rig: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("closing the test rig: %v", err)
		}
	})
	return r
}
