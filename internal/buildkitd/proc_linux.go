//go:build linux

package buildkitd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/wsbuild/wsbuild/internal/proc"
)

// supported reports whether this platform can run a private buildkitd.
func supported() error { return nil }

// tryLock takes an exclusive flock on f without blocking; false means another
// process holds it.
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		default:
			return false, err
		}
	}
}

// unlock releases the flock taken by tryLock.
func unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

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
