package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionWithoutDaemon checks `wsbuild --version` with no address and
// no buildkitd binary: it names the BuildKit module version from go.mod,
// says there is no daemon, and exits 0; and that -o json has the same.
func TestVersionWithoutDaemon(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var pinned string
	for _, l := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == buildkitModule {
			pinned = f[1]
		}
	}
	t.Setenv("BUILDKIT_HOST", "")
	t.Setenv("WSBUILD_BUILDKITD", filepath.Join(t.TempDir(), "no-buildkitd"))
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--version"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"wsbuild:   ", "BuildKit:  " + buildkitModule + " " + pinned + " ", "buildkitd: no buildkitd address (--addr, $BUILDKIT_HOST), and no private buildkitd"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--version printed:\n%s\nwant a line with %q", stdout.String(), want)
		}
	}
	stdout.Reset()
	if code := run(t.Context(), []string{"version", "-o", "json"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var v versionInfo
	if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
		t.Fatalf("version -o json: %v\n%s", err, stdout.String())
	}
	if v.BuildKit != pinned || v.Daemon != nil || v.NoDaemon == "" || v.Wsbuild.Version == "" {
		t.Errorf("version -o json gave %+v, want buildkit %s and no daemon", v, pinned)
	}
}

// TestVersionUnreachableDaemon checks that a daemon named but not reached
// is an error after the client's lines.
func TestVersionUnreachableDaemon(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"version", "--addr", "unix://" + filepath.Join(t.TempDir(), "none.sock")}, &stdout, &stderr); code != exitFailure {
		t.Fatalf("exit code %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stdout.String(), "BuildKit:  ") || !strings.Contains(stderr.String(), "does not answer") {
		t.Errorf("stdout:\n%s\nstderr:\n%s\nwant the client's lines, then why the daemon did not answer", stdout.String(), stderr.String())
	}
}
