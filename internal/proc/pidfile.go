package proc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrNotOurs is wrapped by StopPidFile's error when the pid in the file now
// belongs to another program: the child it recorded is gone.
var ErrNotOurs = errors.New("the pid belongs to another program")

// StopPidFile stops the child whose pid the file at path holds, as written
// by WithPidFile in this or an earlier run: SIGTERM, then after grace SIGKILL
// to its process group, then up to grace again for it to go. match is given
// the process's command line (its arguments, each followed by a NUL byte) and
// must say whether it is that child, so that a pid reused by another program
// is left alone.
//
// It returns the pid it stopped, or 0 when there was nothing to stop: no
// file, a file without a valid pid, or a process that is gone. In every case
// but an error it removes the file; so it does when the pid belongs to
// another program, and then returns an error wrapping ErrNotOurs.
func StopPidFile(path string, grace time.Duration, match func(cmdline []byte) bool) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the pid file %q: %w", path, err)
	}
	remove := func() error {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing the pid file: %w", err)
		}
		return nil
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 || !Alive(pid) {
		return 0, remove() // garbage, or gone: nothing to stop
	}
	if cmd, err := cmdline(pid); err != nil || !match(cmd) {
		return 0, errors.Join(fmt.Errorf("pid %d of %q: %w", pid, path, ErrNotOurs), remove())
	}
	_ = signal(pid, sigTerm)
	if !waitGone(pid, grace) {
		_ = killGroup(pid)
		_ = signal(pid, sigKill) // in case it does not lead its group
		if !waitGone(pid, grace) {
			return 0, fmt.Errorf("stopping pid %d of %q: it survived SIGKILL", pid, path)
		}
	}
	return pid, remove()
}

// waitGone polls until pid is gone or timeout passes, and reports whether it
// is gone.
func waitGone(pid int, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if !Alive(pid) {
			return true
		}
	}
	return !Alive(pid)
}

// LogTail returns the last n lines of the file at path, each indented by a
// tab, for quoting in an error. Go stack traces (a function line followed by
// a tab-indented file:line) are left out: buildkitd prints one after its
// error message, and it would push the message out of the quote.
func LogTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "\t(no log: " + err.Error() + ")"
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	var lines []string
	for i, l := range all {
		frame := strings.HasPrefix(l, "\t") || (i+1 < len(all) && strings.HasPrefix(all[i+1], "\t"))
		if !frame {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\t" + strings.Join(lines, "\n\t")
}
