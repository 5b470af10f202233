package solve

import (
	"bytes"
	"fmt"
	"io"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/sirupsen/logrus"
)

// fsverityWarning is what containerd's local content store logs, through
// logrus's standard logger, every time it opens on a file system without
// fs-verity (overlayfs, tmpfs, most ext4 set-ups). The store works the same
// without it; the warning says nothing a user can act on.
var fsverityWarning = []byte("failed check for fsverity support")

// OpenStore opens (creating it if need be) the local content store in dir,
// without containerd's warning about fs-verity support.
func OpenStore(dir string) (content.Store, error) {
	logger := logrus.StandardLogger()
	if _, ok := logger.Out.(dropWriter); !ok {
		logger.SetOutput(dropWriter{logger.Out})
	}
	s, err := contentlocal.NewStore(dir)
	if err != nil {
		return nil, fmt.Errorf("opening content store %q: %w", dir, err)
	}
	return s, nil
}

// dropWriter passes on every log entry (logrus writes one a call) but the
// fs-verity warning.
type dropWriter struct{ w io.Writer }

func (d dropWriter) Write(p []byte) (int, error) {
	if bytes.Contains(p, fsverityWarning) {
		return len(p), nil
	}
	return d.w.Write(p)
}
