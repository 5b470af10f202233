// Package testenv decides, in one place, whether a test that needs the real
// rig (buildkitd, runc, a registry, the Debian base) may be left out. It may
// only under `go test -short` on a developer's machine: when CI is set, as it
// is in CI, such tests always run, and a missing rig fails them. It also
// holds small helpers those tests share (WaitFor, SyncBuffer).
package testenv

import (
	"os"
	"testing"
)

// RealRigOptional reports whether tests that need the real rig may be left
// out: only under -short, and never in CI.
func RealRigOptional() bool {
	return testing.Short() && os.Getenv("CI") == ""
}

// NeedsRealRig leaves t out under -short outside CI; everywhere else the
// test runs and must find what it needs or fail.
func NeedsRealRig(t testing.TB) {
	t.Helper()
	if RealRigOptional() {
		t.Skip("needs the real rig (.ci/rig-setup.sh); left out under -short")
	}
}
