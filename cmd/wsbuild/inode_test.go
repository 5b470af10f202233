package main

import (
	"io/fs"
	"syscall"
)

// inode returns the file's inode number, where the system has one.
func inode(info fs.FileInfo) (uint64, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Ino, true
}
