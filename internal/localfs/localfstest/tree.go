// Package localfstest writes folders with files and symbolic links for the
// tests of the packages that read a spec's folder.
package localfstest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Write creates, under dir, a file for every entry (name: content), a
// folder for a name ending in "/", and a symbolic link for a name ending in
// "@" (name@: target), with the folders they need. An entry that exists is
// replaced.
func Write(t testing.TB, dir string, entries map[string]string) {
	t.Helper()
	for name, v := range entries {
		p := filepath.Join(dir, strings.TrimSuffix(name, "@"))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) && !strings.HasSuffix(name, "/") {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(name, "@"):
			err = os.Symlink(v, p)
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		default:
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
