package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// runLock resolves every base image of the spec, in every variant, to a
// digest and writes them to the lock file that builds and plans then use.
func runLock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf specFlags
	var df daemonFlags
	var o pipeline.Options
	fs := newFlags("lock", "lock "+specSynopsis+" "+daemonSynopsis, stdout)
	sf.register(fs)
	df.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("lock takes no image names: it pins the bases of every image")}
	}
	sf.apply(&o)
	if err := df.apply(&o, stderr); err != nil {
		return err
	}
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	locked, err := r.Lock(ctx, o)
	if err != nil {
		return err
	}
	for _, b := range locked.File.Bases {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", b.Ref, b.Platform, b.Base.Digest)
	}
	fmt.Fprintf(stderr, "wrote %s\n", locked.Path)
	return nil
}
