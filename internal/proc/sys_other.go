//go:build !unix

package proc

import (
	"errors"
	"os"
	"syscall"
)

var errUnsupported = errors.New("process groups and signals need a Unix system")

const (
	sigTerm = syscall.Signal(15)
	sigKill = syscall.Signal(9)
)

func sysProcAttr(bool) *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
func terminate(p *os.Process) error         { return p.Kill() }
func signal(int, syscall.Signal) error      { return errUnsupported }
func killGroup(int) error                   { return errUnsupported }
func cmdline(int) ([]byte, error)           { return nil, errUnsupported }

// Alive reports whether a process with this pid exists; here it cannot tell
// and says no.
func Alive(int) bool { return false }
