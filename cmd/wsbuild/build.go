package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/solve"
)

// metadata is what --metadata-file holds.
type metadata struct {
	Images []pipeline.Built `json:"images"`
}

// runBuild builds the selected images and, with --push, pushes them.
func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var sf specFlags
	var df daemonFlags
	var ef epochFlag
	var push, noCache bool
	var progress, metadataFile string
	fs := newFlags("build", "build [-f FILE] [--push] [IMAGE...]", stdout)
	sf.register(fs)
	df.register(fs)
	ef.register(fs)
	fs.BoolVar(&push, "push", false, "push every built image to the spec's push targets")
	fs.BoolVar(&noCache, "no-cache", false, "do not use BuildKit's cache")
	fs.StringVar(&progress, "progress", "auto", "progress output: auto, tty, plain, rawjson or quiet")
	fs.StringVar(&metadataFile, "metadata-file", "", "write every image's refs and digests to this JSON file")
	if err := parse(fs, args); err != nil {
		return err
	}
	o, err := df.options(sf, stderr)
	if err != nil {
		return err
	}
	o.Images, o.NoCache, o.Progress = fs.Args(), noCache, progress
	if err := solve.CheckProgress(progress); err != nil {
		return usageError{err}
	}
	if err := ef.apply(&o); err != nil {
		return err
	}
	// Check the spec and plan before starting a daemon: bad input fails fast.
	f, err := pipeline.Load(o)
	if err != nil {
		return err
	}
	if push && len(f.Push) == 0 {
		return usageError{fmt.Errorf("%s: --push was given but the spec has no push: targets", f.File)}
	}
	p, err := pipeline.Check(f, o)
	if err != nil {
		return err
	}
	pub, err := publish.New()
	if err != nil {
		return err
	}
	s, err := pipeline.Open(ctx, o)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	planned, err := pipeline.Resolve(ctx, s.Solver, p, o)
	if err != nil {
		return err
	}
	built, err := pipeline.Build(ctx, s, planned, o, push, pub)
	if err != nil {
		return err
	}
	for _, b := range built {
		fmt.Fprintf(stdout, "%s\t%s", b.Name, b.Digest)
		for _, r := range b.Refs {
			fmt.Fprintf(stdout, "\t%s", r)
		}
		fmt.Fprintln(stdout)
	}
	if metadataFile != "" {
		return writeMetadata(metadataFile, built)
	}
	return nil
}

func writeMetadata(path string, built []pipeline.Built) error {
	b, err := json.MarshalIndent(metadata{Images: built}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing metadata file %q: %w", path, err)
	}
	return nil
}
