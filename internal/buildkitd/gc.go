package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/moby/buildkit/client"
)

// closePruneTimeout bounds the prune a private daemon gets before it stops.
const closePruneTimeout = 2 * time.Minute

// WithGCLimit keeps the private daemon's build cache under limit bytes
// between runs: Close prunes the cache to it before stopping the daemon.
// While it runs, buildkitd collects garbage above liveGCFactor times the
// limit (its --oci-worker-gc-keepstorage, which a gcpolicy of the config
// file overrides): a collection in the middle of a build races with the
// steps and checks that were about to use what it removes, so it is kept
// for a run that outgrows the limit by far. A limit of 0 or less leaves
// buildkitd's own policy (a share of the disk).
//
// Default: 0.
func WithGCLimit(limit int64) Option {
	return func(o *options) error { o.gcLimit = limit; return nil }
}

// liveGCFactor is how far above the cache limit a running private daemon's
// build cache may grow before buildkitd collects garbage (see WithGCLimit).
const liveGCFactor = 2

// gcArgs are the buildkitd flags of the GC limit: no reserved space, no
// minimum of free space, at most liveGCFactor times limit, in buildkitd's
// megabytes.
func gcArgs(limit int64) []string {
	if limit <= 0 {
		return nil
	}
	return []string{"--oci-worker-gc-keepstorage", fmt.Sprintf("0,0,%d", max(1, liveGCFactor*limit/1e6))}
}

// Prune removes build cache no build is using from the daemon: all of it
// with all, else the least recently used until the cache takes at most
// limit bytes. It returns how many bytes it freed.
func (c *Conn) Prune(ctx context.Context, all bool, limit int64) (int64, error) {
	opt := client.PruneOption(client.PruneAll)
	if !all {
		if limit <= 0 {
			return 0, errors.New("pruning the build cache: no limit")
		}
		opt = client.WithKeepOpt(0, 0, limit, 0)
	}
	ch := make(chan client.UsageInfo)
	done := make(chan int64)
	go func() {
		var freed int64
		for u := range ch {
			freed += u.Size
		}
		done <- freed
	}()
	err := c.client.Prune(ctx, ch, opt)
	close(ch)
	freed := <-done
	if err != nil {
		return freed, fmt.Errorf("pruning the build cache of %q: %w", c.addr, err)
	}
	return freed, nil
}

// pruneBeforeStop prunes a private daemon's cache to its limit, if it has one.
func (c *Conn) pruneBeforeStop() error {
	if c.d == nil || c.gcLimit <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), closePruneTimeout)
	defer cancel()
	_, err := c.Prune(ctx, false, c.gcLimit)
	return err
}
