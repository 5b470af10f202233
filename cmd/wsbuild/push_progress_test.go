package main

import (
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
}
