package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCacheFlagErrors: a bad --cache-to or --cache-from is a usage error
// (exit 2) naming the flag and the bad key, before any spec is read; a
// value with commas is one entry, not several.
func TestCacheFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cache-to", "type=local,src=/c"}, `--cache-to "type=local,src=/c": key "src" is for --cache-from`},
		{[]string{"--cache-from", "type=registry,ref=r/c,mode=max"}, `--cache-from "type=registry,ref=r/c,mode=max": key "mode" is for --cache-to only`},
		{[]string{"--cache-to", "type=registry,ref=r/c", "--cache-to", "type=nfs"}, `--cache-to "type=nfs": unknown type "nfs"`},
	} {
		code, stderr := wsbuild(t, append([]string{"build", "-f", filepath.Join(t.TempDir(), "missing.yaml")}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("build %v: exit %d, %q; want exit %d naming %s", tc.args, code, stderr, exitUsage, tc.want)
		}
	}
}
