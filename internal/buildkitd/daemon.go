package buildkitd

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
	"syscall"
	"time"

	"github.com/moby/buildkit/client"
)

// Timeouts of the private daemon; variables so tests can shorten them.
var (
	// startTimeout bounds the wait for a started daemon to answer.
	startTimeout = 30 * time.Second
	// stopTimeout is how long a daemon gets to exit after SIGTERM before
	// it is killed.
	stopTimeout = 10 * time.Second
)

// logTailLines is how many lines of the daemon's log an error quotes.
const logTailLines = 20

// daemon is a private buildkitd process and the state it holds.
type daemon struct {
	addr    string    // "unix://" + sock
	sock    string    // socket path, removed on stop
	sockDir string    // temporary directory holding sock, or ""
	pidFile string    // STATE/buildkitd.pid, for reaping orphans
	logPath string    // STATE/buildkitd.log, the daemon's stdout and stderr
	log     io.Writer // progress lines for the user
	lock    *os.File  // holds the flock on STATE/lock

	cmd     *exec.Cmd     // nil until started
	exited  chan struct{} // closed once cmd.Wait returned
	waitErr error         // cmd.Wait's result, set before exited closes

	stopOnce sync.Once
	stopErr  error
}

// startDaemon locks o.stateDir, starts buildkitd on it and returns once the
// daemon answers. On error nothing is left running or locked.
func startDaemon(ctx context.Context, o *options) (_ *daemon, _ *client.Client, err error) {
	if err := supported(); err != nil {
		return nil, nil, err
	}
	bin, err := findBinary(o)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRunc(); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(o.stateDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("creating buildkitd state dir: %w", err)
	}
	lock, err := acquireLock(ctx, o.stateDir, o.log)
	if err != nil {
		return nil, nil, err
	}
	d := &daemon{
		lock:    lock,
		log:     o.log,
		pidFile: filepath.Join(o.stateDir, "buildkitd.pid"),
		logPath: filepath.Join(o.stateDir, "buildkitd.log"),
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.stop())
		}
	}()

	root := filepath.Join(o.stateDir, "root")
	if err := reapOrphan(d.pidFile, root, o.log); err != nil {
		return nil, nil, err
	}
	if d.sock, d.sockDir, err = socketPath(o.stateDir); err != nil {
		return nil, nil, err
	}
	if err := os.Remove(d.sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("removing stale buildkitd socket: %w", err)
	}
	d.addr = "unix://" + d.sock

	logf, err := os.Create(d.logPath)
	if err != nil {
		return nil, nil, fmt.Errorf("creating buildkitd log: %w", err)
	}
	args := []string{"--root", root, "--addr", d.addr}
	if o.config != "" {
		args = append(args, "--config", o.config)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	err = cmd.Start()
	logf.Close() // the child has its own copy
	if err != nil {
		return nil, nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	d.cmd, d.exited = cmd, make(chan struct{})
	go func() {
		d.waitErr = cmd.Wait()
		close(d.exited)
	}()
	pid := strconv.Itoa(cmd.Process.Pid) + "\n"
	if err := os.WriteFile(d.pidFile, []byte(pid), 0o600); err != nil {
		return nil, nil, fmt.Errorf("recording buildkitd pid: %w", err)
	}

	c, err := d.waitReady(ctx)
	if err != nil {
		return nil, nil, err
	}
	return d, c, nil
}

// waitReady polls the daemon with ListWorkers until it answers, it exits,
// startTimeout passes or ctx is done. Each attempt uses a fresh client so
// gRPC's reconnect backoff does not delay noticing the daemon is up.
func (d *daemon) waitReady(ctx context.Context) (*client.Client, error) {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	for {
		c, err := client.New(ctx, d.addr)
		if err != nil {
			return nil, fmt.Errorf("connecting to buildkitd at %q: %w", d.addr, err)
		}
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err = c.ListWorkers(actx)
		cancel()
		if err == nil {
			return c, nil
		}
		c.Close()
		select {
		case <-d.exited:
			return nil, fmt.Errorf("buildkitd exited before answering on %q (%v); last lines of %s:\n%s",
				d.addr, d.waitErr, d.logPath, logTail(d.logPath, logTailLines))
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for buildkitd to answer on %q: %w", d.addr, context.Cause(ctx))
		case <-deadline.C:
			return nil, fmt.Errorf("buildkitd did not answer on %q within %s (last error: %v); last lines of %s:\n%s",
				d.addr, startTimeout, err, d.logPath, logTail(d.logPath, logTailLines))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// pid returns the daemon's process id, or 0 when it was never started.
func (d *daemon) pid() int {
	if d.cmd == nil {
		return 0
	}
	return d.cmd.Process.Pid
}

// stop stops the daemon (SIGTERM, then SIGKILL to its process group after
// stopTimeout), removes its socket and pid file and releases the lock. It
// runs once; concurrent and later calls wait for it and get its result.
func (d *daemon) stop() error {
	d.stopOnce.Do(func() { d.stopErr = d.doStop() })
	return d.stopErr
}

func (d *daemon) doStop() error {
	var errs []error
	rm := func(path string) {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if d.cmd != nil {
		pid := d.cmd.Process.Pid
		_ = d.cmd.Process.Signal(syscall.SIGTERM) // fails only if it already exited
		select {
		case <-d.exited:
		case <-time.After(stopTimeout):
			fmt.Fprintf(d.log, "buildkitd (pid %d) still running %s after SIGTERM; killing it\n", pid, stopTimeout)
			if err := killGroup(pid); err != nil {
				_ = d.cmd.Process.Kill()
			}
			<-d.exited
		}
		rm(d.pidFile)
	}
	if d.sock != "" {
		rm(d.sock)
	}
	if d.sockDir != "" {
		if err := os.RemoveAll(d.sockDir); err != nil {
			errs = append(errs, err)
		}
	}
	if d.lock != nil {
		if err := unlock(d.lock); err != nil {
			errs = append(errs, fmt.Errorf("unlocking %s: %w", d.lock.Name(), err))
		}
		d.lock.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stopping buildkitd: %w", err)
	}
	return nil
}
