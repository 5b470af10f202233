package main

import (
	"context"
	"fmt"
	"io"

	units "github.com/docker/go-units"
	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// registerCacheLimit adds --cache-limit, the size each cache is kept under.
func registerCacheLimit(fs *pflag.FlagSet, o *pipeline.Options) {
	fs.StringVar(&o.CacheLimit, "cache-limit", "", "keep the private buildkitd's build cache and the content store each under `SIZE`, "+
		"such as 10GB or 500MB, 0 for no limit (default $"+pipeline.EnvCacheLimit+", else "+pipeline.DefaultCacheLimit+")")
}

// runPrune empties or trims wsbuild's caches.
func runPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o pipeline.Options
	var all bool
	fs := newFlags("prune", "prune [--all] "+limitSynopsis, stdout)
	fs.BoolVar(&all, "all", false, "remove everything from both caches, not only what exceeds the limit")
	registerCacheLimit(fs, &o)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("prune takes no arguments, got %q", fs.Args())}
	}
	o.Log = stderr
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	p, err := r.Prune(ctx, o, all)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "content store: removed %d blobs (%s), holds %s\n",
		p.Store.Removed, units.HumanSize(float64(p.Store.RemovedBytes)), units.HumanSize(float64(p.Store.Held)))
	if p.BuildCacheSkipped {
		fmt.Fprintln(stdout, "build cache: none")
	} else {
		fmt.Fprintf(stdout, "build cache: freed %s\n", units.HumanSize(float64(p.BuildCache)))
	}
	return nil
}
