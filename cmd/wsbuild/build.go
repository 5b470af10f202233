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
	var push, noCache, force, dependents bool
	var progress, metadataFile string
	fs := newFlags("build", "build [-f FILE] [--push] [--with-dependents] [IMAGE...]", stdout)
	sf.register(fs)
	df.register(fs)
	ef.register(fs)
	fs.BoolVar(&push, "push", false, "push every built image to the spec's push targets")
	fs.BoolVar(&noCache, "no-cache", false, "do not use BuildKit's cache")
	fs.BoolVar(&force, "force", false, "build every selected image, even those whose pushed tags are up to date")
	fs.BoolVar(&dependents, "with-dependents", false, "also build every image built on a named one")
	fs.StringVar(&progress, "progress", "auto", "progress output: auto, tty, plain, rawjson or quiet")
	fs.StringVar(&metadataFile, "metadata-file", "", "write every image's refs and digests to this JSON file")
	if err := parse(fs, args); err != nil {
		return err
	}
	o, err := df.options(sf, stderr)
	if err != nil {
		return err
	}
	o.Images, o.WithDependents, o.NoCache, o.Progress, o.Force = fs.Args(), dependents, noCache, progress, force
	if err := solve.CheckProgress(progress); err != nil {
		return usageError{err}
	}
	if err := ef.apply(&o); err != nil {
		return err
	}
	pub, err := publish.New()
	if err != nil {
		return err
	}
	// Bad input fails before any daemon starts.
	r, err := startRun(ctx, o, push)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, r.close()) }()
	decisions, err := pipeline.Decide(ctx, r.plan, o, push, pub)
	if err != nil {
		return err
	}
	built := pipeline.Skipped(decisions)
	if pipeline.ToBuild(decisions) > 0 {
		s, err := r.session(ctx)
		if err != nil {
			return err
		}
		if built, err = pipeline.Build(ctx, s, r.planned, o, decisions, push, pub); err != nil {
			return err
		}
	}
	for _, b := range built {
		fmt.Fprintf(stdout, "%s\t%s\t%s", b.Name, b.Action, b.Digest)
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
