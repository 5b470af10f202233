package rig

import "syscall"

// procAttr returns the process attributes of the registry: a detached one gets its own
// session so it outlives this process; an attached one is killed when this process dies.
func procAttr(detached bool) *syscall.SysProcAttr {
	if detached {
		return &syscall.SysProcAttr{Setsid: true}
	}
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
