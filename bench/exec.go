package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// runner runs the commands being measured, each with its output in a log
// file of its own, numbered in the order they ran.
type runner struct {
	logDir string
	n      int
	// lastLog is the log of the last command run.
	lastLog string
}

// run runs bin with args and env added to the environment, and returns its
// wall time. The command's output goes to a log file; an error quotes the
// log's last lines.
func (r *runner) run(ctx context.Context, label string, env []string, bin string, args ...string) (time.Duration, error) {
	return r.runTo(ctx, label, "", env, bin, args...)
}

// runTo is run with the command's standard output in the file stdout
// instead of the log, unless stdout is "".
func (r *runner) runTo(ctx context.Context, label, stdout string, env []string, bin string, args ...string) (time.Duration, error) {
	r.n++
	logPath := fmt.Sprintf("%s/%03d-%s.log", r.logDir, r.n, label)
	r.lastLog = logPath
	f, err := os.Create(logPath)
	if err != nil {
		return 0, fmt.Errorf("creating log %q: %w", logPath, err)
	}
	defer f.Close()
	fmt.Fprintf(f, "$ %s %s\n\n", bin, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, bin, args...)
	// Interrupted, the command gets SIGINT and time to clean up, as from a
	// terminal's Ctrl-C.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if stdout != "" {
		out, err := os.Create(stdout)
		if err != nil {
			return 0, fmt.Errorf("creating %q: %w", stdout, err)
		}
		defer out.Close()
		cmd.Stdout = out
	}
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if err != nil {
		return took, fmt.Errorf("%s: %w; last lines of %s:\n%s", label, err, logPath, tail(logPath, 15))
	}
	return took, nil
}

// output runs bin with args and returns what it printed, for probing
// features; it is not timed.
func output(ctx context.Context, env []string, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	b, err := cmd.CombinedOutput()
	return string(b), err
}

// tail returns the last n lines of the file at path, indented.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "\t(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\t" + strings.Join(lines, "\n\t")
}
