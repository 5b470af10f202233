//go:build linux

package buildkitd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// supported reports whether this platform can run a private buildkitd.
func supported() error { return nil }

// sysProcAttr puts the daemon in its own process group, so a Ctrl-C on the
// terminal reaches wsbuild (which stops the daemon in order) rather than the
// daemon, and has the kernel send it SIGTERM if wsbuild dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

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

// killGroup sends SIGKILL to the process group led by pid.
func killGroup(pid int) error {
	return syscall.Kill(-pid, syscall.SIGKILL)
}

// reapOrphan stops a buildkitd left running on root by an earlier run that
// died without stopping it (its pid is in pidFile). The caller holds the
// state lock, so any such daemon is an orphan. A pid now used by another
// program is left alone.
func reapOrphan(pidFile, root string, log io.Writer) error {
	b, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %q: %w", pidFile, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return os.Remove(pidFile) // garbage: nothing to stop
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !bytes.Contains(cmdline, []byte("\x00--root\x00"+root+"\x00")) {
		return os.Remove(pidFile) // gone, or a different process now
	}
	fmt.Fprintf(log, "stopping buildkitd (pid %d) left running by an earlier wsbuild run\n", pid)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(stopTimeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if time.Now().After(deadline.Add(5 * time.Second)) {
			return fmt.Errorf("buildkitd (pid %d) left by an earlier run on %q does not exit", pid, root)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return os.Remove(pidFile)
}

// alive reports whether a process with this pid exists (and is not a zombie).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] != 'Z'
	}
	return true
}
