package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/moby/buildkit/client"
	"github.com/wsbuild/wsbuild/internal/proc"
)

// Timeouts of the private daemon; variables so tests can shorten them.
var (
	// startTimeout bounds the wait for a started daemon to answer.
	startTimeout = 30 * time.Second
	// stopTimeout is how long a daemon gets to exit after SIGTERM before
	// it is killed.
	stopTimeout = 10 * time.Second
)

// daemon is a private buildkitd process and the state it holds.
type daemon struct {
	addr    string       // "unix://" + sock
	sock    string       // socket path, removed on stop
	sockDir string       // temporary directory holding sock, or ""
	pidFile string       // STATE/buildkitd.pid, for reaping orphans
	logPath string       // STATE/buildkitd.log, the daemon's stdout and stderr
	root    string       // STATE/root, the daemon's --root
	log     io.Writer    // progress lines for the user
	lock    *flock.Flock // holds STATE/lock

	proc *proc.Process // nil until started

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
	d.root = root
	if err := reapOrphan(d.pidFile, root, o.log); err != nil {
		return nil, nil, err
	}
	if err := reapContainers(root, o.log); err != nil {
		return nil, nil, err
	}
	if d.sock, d.sockDir, err = socketPath(o.stateDir); err != nil {
		return nil, nil, err
	}
	if err := os.Remove(d.sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("removing stale buildkitd socket: %w", err)
	}
	d.addr = "unix://" + d.sock

	args := []string{"--root", root, "--addr", d.addr}
	if o.config != "" {
		args = append(args, "--config", o.config)
	}
	args = append(args, gcArgs(o.gcLimit)...)
	if d.proc, err = proc.Start(bin, args, proc.WithLogFile(d.logPath, false),
		proc.WithPidFile(d.pidFile), proc.WithLog(o.log)); err != nil {
		return nil, nil, err
	}
	var c *client.Client
	err = d.proc.WaitReady(ctx, startTimeout, func(ctx context.Context) error {
		// A fresh client each time, so that gRPC's reconnect backoff does
		// not delay noticing the daemon is up.
		cl, err := NewClient(ctx, d.addr, TLS{})
		if err != nil {
			return err
		}
		if _, err := cl.ListWorkers(ctx); err != nil {
			cl.Close()
			return err
		}
		c = cl
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("starting buildkitd on %q: %w", d.addr, err)
	}
	return d, c, nil
}

// pid returns the daemon's process id, or 0 when it was never started.
func (d *daemon) pid() int {
	if d.proc == nil {
		return 0
	}
	return d.proc.Pid()
}

// stop stops the daemon (SIGTERM, then SIGKILL to its process group after
// stopTimeout), removes its pid file and socket and releases the lock. It
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
	if d.proc != nil {
		if err := d.proc.Stop(stopTimeout); err != nil {
			errs = append(errs, err)
		}
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
		if err := d.lock.Unlock(); err != nil {
			errs = append(errs, fmt.Errorf("unlocking %s: %w", d.lock.Path(), err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stopping buildkitd: %w", err)
	}
	return nil
}
