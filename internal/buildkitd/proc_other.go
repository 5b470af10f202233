//go:build !linux

package buildkitd

import (
	"errors"
	"io"
)

var errUnsupported = errors.New("a private buildkitd needs Linux: set " + EnvHost + " or use WithAddr to name a running buildkitd")

// supported reports whether this platform can run a private buildkitd.
func supported() error { return errUnsupported }

func reapOrphan(string, string, io.Writer) error { return errUnsupported }

func reapContainers(string, io.Writer) error { return nil }
