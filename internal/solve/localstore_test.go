package solve

import (
	"bytes"
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
