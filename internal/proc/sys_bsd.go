//go:build unix && !linux

package proc

import (
	"errors"
	"syscall"
)

// sysProcAttr puts the child in a session of its own when detached, else in
// a process group of its own.
func sysProcAttr(detached bool) *syscall.SysProcAttr {
	if detached {
		return &syscall.SysProcAttr{Setsid: true}
	}
	return &syscall.SysProcAttr{Setpgid: true}
}

// Alive reports whether a process with this pid exists.
func Alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// cmdline is not available here: StopPidFile then treats a live pid as
// another program's.
func cmdline(int) ([]byte, error) { return nil, errors.New("no /proc to read a command line from") }
