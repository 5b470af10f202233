package probe

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// proveProcesses checks that a process of every name runs, matched on
// /proc/PID/comm or on the base name of argv[0].
func proveProcesses(o *options, names []string) (string, error) {
	procs, err := processes(o.procDir)
	if err != nil {
		return "", err
	}
	var found, missing []string
	for _, n := range names {
		pids := procs[n]
		if len(pids) == 0 {
			missing = append(missing, n)
			continue
		}
		found = append(found, fmt.Sprintf("%s (pid %d)", n, pids[0]))
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("not running: %s", strings.Join(missing, ", "))
	}
	return "running: " + strings.Join(found, ", "), nil
}

// processes maps the names of the processes in procDir (comm and argv[0]'s
// base name) to their pids, lowest first.
func processes(procDir string) (map[string][]int, error) {
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return nil, fmt.Errorf("listing processes in %q: %w", procDir, err)
	}
	out := map[string][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join(procDir, e.Name())
		names := map[string]bool{}
		// Either file may vanish with its process; that is no error.
		if comm, err := os.ReadFile(filepath.Join(dir, "comm")); err == nil {
			names[strings.TrimSpace(string(comm))] = true
		}
		if cmd, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil && len(cmd) > 0 {
			argv0, _, _ := bytes.Cut(cmd, []byte{0})
			if len(argv0) > 0 {
				names[filepath.Base(string(argv0))] = true
			}
		}
		for n := range names {
			if n != "" {
				out[n] = append(out[n], pid)
			}
		}
	}
	for _, pids := range out {
		sort.Ints(pids)
	}
	return out, nil
}
