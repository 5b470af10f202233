package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseScriptFlags runs .ci/release with --force and --set against a
// stand-in wsbuild that checks each command line with the real wsbuild's
// flag parsing (the real command with --help appended, which does nothing
// but parse) and succeeds without building: every command must accept the
// flags the script hands it, and lock must not be handed --force.
func TestReleaseScriptFlags(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "wsbuild-real")
	if out, err := exec.Command("go", "build", "-o", real, ".").CombinedOutput(); err != nil {
		t.Fatalf("building wsbuild: %v\n%s", err, out)
	}
	calls := filepath.Join(dir, "calls")
	stand := filepath.Join(dir, "wsbuild")
	write(t, stand, `#!/bin/sh
echo "$*" >> "`+calls+`"
"`+real+`" "$@" --help > /dev/null || exit $?
`)
	if err := os.Chmod(stand, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "wsbuild.yaml")
	write(t, spec, "images:\n  x:\n    base: debian:bookworm\n")
	script, err := filepath.Abs("../../.ci/release")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script, spec, "--force", "--set", "x.tag=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WSBUILD="+stand, "OUT="+filepath.Join(dir, "release.json"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf(".ci/release --force: %v\n%s", err, out)
	}
	b, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "lock ") || !strings.HasPrefix(lines[1], "plan ") ||
		!strings.HasPrefix(lines[2], "build ") || !strings.Contains(lines[2], "--force") {
		t.Errorf("the script ran:\n%s\nwant lock, plan and build, build with --force", b)
	}
}
