package rig

import (
	"errors"
	"testing"
)

// ForTest starts a rig in t.TempDir() and closes it when the test ends. When the
// prerequisites of .ci/rig-setup.sh are missing it skips the test under -short and fails
// it otherwise, so CI (which runs without -short) never skips silently.
func ForTest(t testing.TB) *Rig {
	t.Helper()
	r, err := Start(t.Context(), WithDir(t.TempDir()))
	if errors.Is(err, ErrNotSetUp) && testing.Short() {
		t.Skipf("skipping under -short: %v", err)
	}
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
