package main

import (
	"testing"
)

// TestPruneExitCodes covers prune and --cache-limit offline: a bad limit
// fails before anything starts, and pruning caches that do not exist yet
// starts no buildkitd.
func TestPruneExitCodes(t *testing.T) {
	offline(t)
	good := writeSpec(t, "images:\n  x:\n    base: debian:bookworm\n")
	runExitCases(t, []exitCase{
		{"nothing to prune", []string{"prune"}, 0, ""},
		{"nothing to prune, all", []string{"prune", "--all"}, 0, ""},
		{"bad limit", []string{"prune", "--cache-limit", "lots"}, 2, `--cache-limit "lots": want a size`},
		{"no limit, not all", []string{"prune", "--cache-limit", "0"}, 2, "give --all or a limit"},
		{"arguments", []string{"prune", "x"}, 2, "prune takes no arguments"},
		{"bad limit in build", []string{"build", "-f", good, "--cache-limit", "-1GB"}, 2, `--cache-limit "-1GB"`},
	})
	t.Setenv("WSBUILD_CACHE_LIMIT", "huge")
	runExitCases(t, []exitCase{
		{"bad limit from the environment", []string{"build", "-f", good}, 2, `$WSBUILD_CACHE_LIMIT "huge"`},
	})
}
