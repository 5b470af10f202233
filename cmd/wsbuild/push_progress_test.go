package main

import (
	"strconv"
	"strings"
	"testing"
)

// assertPushProgress fails unless the plain progress output shows the push
// of ref with its bytes and its parent's layers mounted.
func assertPushProgress(t *testing.T, plain, ref string) {
	t.Helper()
	for _, want := range []string{"pushing " + ref, "layers, config and manifest", "mounted", "uploaded"} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain progress lacks %q", want)
		}
	}
	// One display for the build and the pushes: BuildKit's plain display
	// numbers vertices #1, #2, ... in order, so on the build's display a
	// push comes after every step, where a display of the pushes' own would
	// number it at most by the count of pushes.
	var n, pushes int
	for _, line := range strings.Split(plain, "\n") {
		if num, name, ok := strings.Cut(line, " pushing "); ok && strings.HasPrefix(num, "#") && !strings.Contains(num, " ") {
			if name == ref {
				n, _ = strconv.Atoi(strings.TrimPrefix(num, "#"))
			}
			pushes++
		}
	}
	if n <= pushes {
		t.Errorf("the push of %s is vertex #%d of a display showing %d push lines: want it on the build's display, after its steps", ref, n, pushes)
	}
}
