// Package proc starts, waits for and stops the long-running child processes
// wsbuild runs: the private buildkitd and the test rig's registry. It writes
// once what both need: a child with its output in a log file and in its own
// process group, a readiness wait that polls a probe and fails early when the
// child exits, a stop that sends SIGTERM and, after a grace period, SIGKILL to
// the whole group, and pid files that let a later run stop a child that
// outlived the run that started it (see StopPidFile).
package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Readiness polling of WaitReady.
const (
	// pollInterval is the pause between two probes.
	pollInterval = 100 * time.Millisecond
	// attemptTimeout bounds one probe.
	attemptTimeout = 2 * time.Second
	// logTailLines is how many lines of the child's log an error quotes.
	logTailLines = 20
)

// Option configures Start.
type Option func(*options) error

type options struct {
	logPath   string
	appendLog bool
	dir       string
	pidFile   string
	detached  bool
	log       io.Writer
}

// WithLogFile sends the child's stdout and stderr to the file at path,
// created or truncated at start; with appendTo, appended to instead.
//
// Default: both are discarded.
func WithLogFile(path string, appendTo bool) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("WithLogFile: empty path")
		}
		o.logPath, o.appendLog = path, appendTo
		return nil
	}
}

// WithDir runs the child in dir.
//
// Default: the caller's working directory.
func WithDir(dir string) Option {
	return func(o *options) error {
		o.dir = dir
		return nil
	}
}

// WithPidFile records the child's pid in the file at path once it started;
// Stop removes the file, and StopPidFile stops the child from it.
//
// Default: no pid file.
func WithPidFile(path string) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("WithPidFile: empty path")
		}
		o.pidFile = path
		return nil
	}
}

// WithDetached starts the child in a session of its own, so that it outlives
// the caller (stop it later with StopPidFile).
//
// Default: the child leads a process group of its own, so a Ctrl-C on the
// terminal reaches the caller (which stops the child in order) rather than
// the child, and, on Linux, the kernel sends the child SIGTERM if the caller
// dies first.
func WithDetached() Option {
	return func(o *options) error {
		o.detached = true
		return nil
	}
}

// WithLog sets where Stop writes a line when it has to kill the child.
//
// Default: io.Discard.
func WithLog(w io.Writer) Option {
	return func(o *options) error {
		o.log = w
		return nil
	}
}

// Process is a child process started by Start.
type Process struct {
	name    string // base name of the binary, for messages
	cmd     *exec.Cmd
	logPath string
	pidFile string
	log     io.Writer

	done    chan struct{} // closed once cmd.Wait returned
	waitErr error         // cmd.Wait's result, set before done closes

	stopOnce sync.Once
	stopErr  error
}

// Start starts bin with args as a child process configured by opts. The
// caller must eventually Stop it, unless it was started WithDetached.
func Start(bin string, args []string, opts ...Option) (*Process, error) {
	o := options{log: io.Discard}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.log == nil {
		o.log = io.Discard
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = o.dir
	cmd.SysProcAttr = sysProcAttr(o.detached)
	if o.logPath != "" {
		flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if o.appendLog {
			flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		logf, err := os.OpenFile(o.logPath, flag, 0o644)
		if err != nil {
			return nil, fmt.Errorf("opening the log of %q: %w", bin, err)
		}
		defer logf.Close()                  // the child holds its own copy
		cmd.Stdout, cmd.Stderr = logf, logf // a file, not a pipe: no copying goroutines
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %q: %w", bin, err)
	}
	p := &Process{
		name: filepath.Base(bin), cmd: cmd, logPath: o.logPath, log: o.log,
		done: make(chan struct{}),
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if o.pidFile != "" {
		if err := os.WriteFile(o.pidFile, []byte(strconv.Itoa(p.Pid())+"\n"), 0o644); err != nil {
			return nil, errors.Join(fmt.Errorf("recording the pid of %q: %w", bin, err), p.Stop(time.Second))
		}
		p.pidFile = o.pidFile
	}
	return p, nil
}

// Pid returns the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed once the child has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited returns, once the child has exited, how it ended and the end of
// its log; nil while it runs.
func (p *Process) Exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited (%v); %s", p.name, p.waitErr, p.tail())
	default:
		return nil
	}
}

// Probe tells whether a child answers: nil when it is ready. Each call gets a
// context bounded to a few seconds.
type Probe func(ctx context.Context) error

// WaitReady calls probe until it returns nil, and fails when the child exits
// first, timeout passes or ctx is done. The errors of an exit and of the
// timeout quote the end of the child's log.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration, probe Probe) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		err := probe(actx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before answering (%v); %s", p.name, p.waitErr, p.tail())
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to answer: %w", p.name, context.Cause(ctx))
		case <-deadline.C:
			return fmt.Errorf("%s did not answer within %s (last error: %v); %s", p.name, timeout, err, p.tail())
		case <-time.After(pollInterval):
		}
	}
}

// tail quotes the end of the child's log for an error message.
func (p *Process) tail() string {
	if p.logPath == "" {
		return "it has no log"
	}
	return "last lines of " + p.logPath + ":\n" + LogTail(p.logPath, logTailLines)
}

// Stop sends the child SIGTERM and waits for it to exit; after grace it
// sends SIGKILL to the child's whole process group and waits up to grace
// again. It then removes the pid file. Stop runs once: concurrent and later
// calls wait for the first and return its result. A child that was killed is
// not an error; one that survives SIGKILL is.
func (p *Process) Stop(grace time.Duration) error {
	p.stopOnce.Do(func() { p.stopErr = p.stop(grace) })
	return p.stopErr
}

func (p *Process) stop(grace time.Duration) error {
	pid := p.Pid()
	select {
	case <-p.done:
	default:
		_ = terminate(p.cmd.Process) // fails only if it already exited
		select {
		case <-p.done:
		case <-time.After(grace):
			fmt.Fprintf(p.log, "%s (pid %d) still running %s after SIGTERM; killing it\n", p.name, pid, grace)
			if err := killGroup(pid); err != nil {
				_ = p.cmd.Process.Kill()
			}
			select {
			case <-p.done:
			case <-time.After(grace):
				return fmt.Errorf("stopping %s (pid %d): it survived SIGKILL", p.name, pid)
			}
		}
	}
	if p.pidFile != "" {
		if err := os.Remove(p.pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing the pid file of %s: %w", p.name, err)
		}
	}
	return nil
}
