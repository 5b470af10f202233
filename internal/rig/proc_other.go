//go:build unix && !linux

package rig

import "syscall"

// procAttr returns the process attributes of the registry: a detached one gets its own
// session so it outlives this process.
func procAttr(detached bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: detached}
}
