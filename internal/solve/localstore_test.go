package solve

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

// TestOpenStoreIsQuiet opens a content store (here on a file system without
// fs-verity, in most set-ups) and checks that containerd's fs-verity
// warning is not logged, while other log entries still are.
func TestOpenStoreIsQuiet(t *testing.T) {
	var buf bytes.Buffer
	logger := logrus.StandardLogger()
	out := logger.Out
	logger.SetOutput(&buf)
	t.Cleanup(func() { logger.SetOutput(out) })
	if _, err := OpenStore(t.Context(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	logrus.WithError(bytes.ErrTooLarge).Warn("failed check for fsverity support")
	logrus.Warn("something else")
	if got := buf.String(); strings.Contains(got, "fsverity") || !strings.Contains(got, "something else") {
		t.Errorf("logged %q, want only the other entry", got)
	}
}

// TestFreshStoreCloses opens a content store in a folder that does not
// exist yet and closes it without writing to it, as `wsbuild lock` does on
// an empty cache folder: the prune on close must find an empty store.
func TestFreshStoreCloses(t *testing.T) {
	s, err := OpenStore(t.Context(), filepath.Join(t.TempDir(), "cache", "content"))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok, err := s.Close(t.Context(), nil, 1<<20); err != nil || !ok || p.Held != 0 {
		t.Errorf("closing a fresh store: pruned %+v, ok %v, err %v", p, ok, err)
	}
}
