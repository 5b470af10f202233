package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	units "github.com/docker/go-units"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/solve"
)

// EnvCacheLimit names the size each of wsbuild's caches (the private
// buildkitd's build cache, the content store) is kept under when
// Options.CacheLimit is empty.
const EnvCacheLimit = "WSBUILD_CACHE_LIMIT"

// DefaultCacheLimit is the size each cache is kept under when neither
// Options.CacheLimit nor $WSBUILD_CACHE_LIMIT sets one: 10 GB.
const DefaultCacheLimit = "10GB"

// cacheLimit reads o.CacheLimit, else $WSBUILD_CACHE_LIMIT, else
// DefaultCacheLimit, in bytes: a size such as 10GB, 512MB (powers of ten)
// or a number of bytes; 0 means no limit.
func (o Options) cacheLimit() (int64, error) {
	v, from := o.CacheLimit, "--cache-limit"
	if v == "" {
		v, from = os.Getenv(EnvCacheLimit), "$"+EnvCacheLimit
	}
	if v == "" {
		v = DefaultCacheLimit
	}
	n, err := units.FromHumanSize(v)
	if err != nil || n < 0 {
		return 0, &InputError{fmt.Errorf("%s %q: want a size such as 10GB or 500MB, or 0 for no limit", from, v)}
	}
	return n, nil
}

// storeDir is the content store's folder in o.CacheDir.
func (o Options) storeDir() string { return filepath.Join(o.CacheDir, "content") }

// closeStore prunes the run's content store to the images in keep and the
// limit, unless another run holds it, and releases it; it says on log what
// it removed.
func closeStore(s *solve.LocalStore, keep []ocispec.Descriptor, limit int64, log io.Writer) error {
	p, ok, err := s.Close(context.Background(), keep, limit)
	if ok && p.Removed > 0 {
		fmt.Fprintf(log, "content store: removed %d blobs (%s), holds %s\n",
			p.Removed, units.HumanSize(float64(p.RemovedBytes)), units.HumanSize(float64(p.Held)))
	}
	return err
}

// Pruned is what Prune freed.
type Pruned struct {
	// Store is the content store's pruning.
	Store solve.Pruned
	// BuildCache is how many bytes of the private buildkitd's build cache
	// were freed; BuildCacheSkipped says there was no such cache.
	BuildCache        int64
	BuildCacheSkipped bool
}

// Prune empties (all) or trims to the cache limit the content store and
// the private buildkitd's build cache in o.CacheDir. It waits for a run
// that holds either. A private buildkitd is started only when its state
// exists.
func (r *Runner) Prune(ctx context.Context, o Options, all bool) (Pruned, error) {
	var out Pruned
	o, err := o.withDefaults()
	if err != nil {
		return out, err
	}
	if o, err = o.withCacheDir(); err != nil {
		return out, err
	}
	limit, err := o.cacheLimit()
	if err != nil {
		return out, err
	}
	if !all && limit == 0 {
		return out, &InputError{errors.New("nothing to prune to: the cache limit is 0 (no limit); give --all or a limit")}
	}
	if _, err := os.Stat(o.storeDir()); err == nil {
		if out.Store, err = solve.PruneLocalStore(ctx, o.storeDir(), all, limit); err != nil {
			return out, err
		}
	}
	state := filepath.Join(o.CacheDir, "buildkitd")
	if _, err := os.Stat(filepath.Join(state, "root")); err != nil {
		out.BuildCacheSkipped = true
		return out, nil
	}
	conn, err := buildkitd.Connect(ctx, buildkitd.WithAddr(""), buildkitd.WithLog(o.Log), buildkitd.WithStateDir(state))
	if err != nil {
		return out, err
	}
	out.BuildCache, err = conn.Prune(ctx, all, limit)
	return out, errors.Join(err, conn.Close())
}
