//go:build linux

package buildkitd

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/wsbuild/wsbuild/internal/proc"
)

// supported reports whether this platform can run a private buildkitd.
func supported() error { return nil }

// reapOrphan stops a buildkitd left running on root by an earlier run that
// died without stopping it (its pid is in pidFile). The caller holds the
// state lock, so any such daemon is an orphan. A pid now used by another
// program is left alone.
func reapOrphan(pidFile, root string, log io.Writer) error {
	ours := func(cmdline []byte) bool { return bytes.Contains(cmdline, []byte("\x00--root\x00"+root+"\x00")) }
	pid, err := proc.StopPidFile(pidFile, stopTimeout, ours)
	switch {
	case errors.Is(err, proc.ErrNotOurs):
		return nil
	case err != nil:
		return fmt.Errorf("stopping the buildkitd left running on %q by an earlier run: %w", root, err)
	case pid != 0:
		fmt.Fprintf(log, "stopped buildkitd (pid %d) left running by an earlier wsbuild run\n", pid)
	}
	return nil
}
