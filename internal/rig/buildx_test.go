package rig

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestBuildxSeesTheRigBuildkitd makes a buildx remote-driver builder on a
// buildkitd started the way the rig's tests start one, and checks that
// buildx (inspect, ls) and buildctl reach that daemon with no Docker engine.
func TestBuildxSeesTheRigBuildkitd(t *testing.T) {
	r := ForTest(t)
	conn := BuildkitdForTest(t, r)
	bx := BuildxForTest(t, conn.Addr())
	ctx := t.Context()

	out, err := bx.Run(ctx, "version")
	if err != nil || !strings.Contains(string(out), "v0.37.2") {
		t.Errorf("buildx version: %q (%v), want v0.37.2 (.ci/buildx/go.mod)", out, err)
	}
	out, err = bx.Run(ctx, "inspect", "--bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Name:          wsbuild-test", "Driver:        remote",
		"Endpoint:         " + conn.Addr(), "Status:           running", "oci"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("buildx inspect lacks %q:\n%s", want, out)
		}
	}
	out, err = bx.Run(ctx, "ls")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(strings.Split(string(out), "\n"), func(line string) bool {
		return strings.Contains(line, conn.Addr()) && strings.Contains(line, "running")
	}) {
		t.Errorf("buildx ls does not show %s running:\n%s", conn.Addr(), out)
	}

	msg, err := exec.CommandContext(ctx, BuildctlForTest(t), "--addr", conn.Addr(), "debug", "workers").CombinedOutput()
	if err != nil || !strings.Contains(string(msg), "linux/amd64") {
		t.Errorf("buildctl debug workers: %v\n%s", err, msg)
	}
}
