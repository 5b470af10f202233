// Package buildkitd gives wsbuild a connection to BuildKit: either the
// buildkitd at an address the user names (WithAddr, BUILDKIT_HOST), or, by
// default, a private buildkitd that wsbuild starts for the run and stops
// again, so that no Docker daemon or system-wide buildkitd is needed.
//
// The private daemon keeps its state (cache, snapshots) in a state directory
// shared by successive runs. An exclusive lock on STATE/lock serialises runs:
// a second run waits until the first has stopped its daemon.
package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
)

// probeTimeout bounds one ListWorkers call used to check a daemon answers.
const probeTimeout = 10 * time.Second

// Conn is a BuildKit client together with the private daemon behind it, if
// any. Close it when done.
type Conn struct {
	client *client.Client
	addr   string
	d      *daemon     // nil when the daemon is not ours
	unhook func() bool // stops the AfterFunc that stops d when ctx is done
	// gcLimit is the private daemon's cache limit (WithGCLimit).
	gcLimit int64

	closeOnce sync.Once
	closeErr  error
}

// Connect returns a connection to BuildKit.
//
// With an address (WithAddr, else BUILDKIT_HOST) it connects there with
// Dial (TLS as WithTLS says) and checks the daemon answers. Without one it starts a private buildkitd on the state
// directory (see WithStateDir), first waiting for any other wsbuild run that
// holds that directory, and returns once the daemon answers.
//
// A private daemon lives until Close is called or ctx is done, whichever
// comes first: cancelling ctx (as the CLI does on Ctrl-C) stops it, and Close
// must still be called afterwards to release the client.
func Connect(ctx context.Context, opts ...Option) (*Conn, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	if o.addr != "" {
		c, err := Dial(ctx, o.addr, o.tls)
		if err != nil {
			return nil, err
		}
		return &Conn{client: c, addr: o.addr}, nil
	}
	d, c, err := startDaemon(ctx, o)
	if err != nil {
		return nil, err
	}
	conn := &Conn{client: c, addr: d.addr, d: d, gcLimit: o.gcLimit}
	conn.unhook = context.AfterFunc(ctx, func() { _ = d.stop() })
	return conn, nil
}

// Died returns, when the private daemon exited before Close stopped it
// (killed, or crashed), how it ended and the end of its log; nil while it
// runs, and for a daemon wsbuild did not start.
func (c *Conn) Died() error {
	if c.d == nil || c.d.proc == nil {
		return nil
	}
	return c.d.proc.Exited()
}

// DiedWithin is Died, waiting up to wait for the daemon to be seen gone:
// a client may read a broken connection before the daemon's exit is
// reaped, so a failed call asks this rather than Died.
func (c *Conn) DiedWithin(wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := c.Died()
		if err != nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Client returns the BuildKit client. It stays owned by c: do not close it.
func (c *Conn) Client() *client.Client { return c.client }

// Addr returns the address of the daemon c talks to, e.g.
// "unix:///home/u/.cache/wsbuild/buildkitd/buildkitd.sock".
func (c *Conn) Addr() string { return c.addr }

// Close closes the client and, when the daemon is private, prunes its
// cache to the limit (WithGCLimit), stops it (SIGTERM, then SIGKILL after
// 10 s), releases the state directory and removes the socket. It is safe to call more than once and after ctx is cancelled; later
// calls return the first call's result.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		// A daemon that ctx already stopped (Ctrl-C), or that died, is not
		// pruned; the build containers a dead daemon left are stopped.
		running := c.unhook != nil && c.unhook()
		died := c.Died() != nil
		var errs []error
		if died {
			errs = append(errs, reapContainers(c.d.root, c.d.log))
		}
		if running && !died {
			if err := c.pruneBeforeStop(); err != nil {
				errs = append(errs, err)
			}
		}
		if err := c.client.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing buildkit client for %q: %w", c.addr, err))
		}
		if c.d != nil {
			errs = append(errs, c.d.stop())
		}
		c.closeErr = errors.Join(errs...)
	})
	return c.closeErr
}
