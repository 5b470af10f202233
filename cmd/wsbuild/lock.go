package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// runLock resolves every base image of the spec, in every variant, to a
// digest and writes them to the lock file that builds and plans then use.
func runLock(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var sf specFlags
	var df daemonFlags
	fs := newFlags("lock", "lock [-f FILE] [--lock LOCKFILE]", stdout)
	sf.register(fs)
	df.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("lock takes no image names: it pins the bases of every image")}
	}
	o, err := df.options(sf, stderr)
	if err != nil {
		return err
	}
	f, err := pipeline.Load(o)
	if err != nil {
		return err
	}
	p, err := pipeline.Check(f, o)
	if err != nil {
		return err
	}
	s, err := pipeline.Open(ctx, o)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	lf, err := pipeline.Lock(ctx, s, p, o)
	if err != nil {
		return err
	}
	data, err := lf.Marshal()
	if err != nil {
		return err
	}
	path := pipeline.LockPath(o)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing lock file: %w", err)
	}
	for _, b := range lf.Bases {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", b.Ref, b.Platform, b.Digest)
	}
	fmt.Fprintf(stderr, "wrote %s\n", path)
	return nil
}
