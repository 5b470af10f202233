//go:build linux

package buildkitd

import (
	"slices"
	"testing"
)

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{`/a/b`: "/a/b", `/a\040b`: "/a b", `/a\011b\134c`: "/a\tb\\c"} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMountsUnderIsDeepestFirst: /proc itself is mounted on every Linux
// machine; its sub-mounts (when any) come before it.
func TestMountsUnderIsDeepestFirst(t *testing.T) {
	got, err := mountsUnder("")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "/proc") {
		t.Fatalf("mountsUnder(\"\") lacks /proc: %v", got)
	}
	for i := 1; i < len(got); i++ {
		if len(got[i]) > len(got[i-1]) {
			t.Fatalf("%q comes after the shorter %q", got[i], got[i-1])
		}
	}
}
