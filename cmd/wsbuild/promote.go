package main

import (
	"context"
	"io"

	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// runPromote copies built images of a spec from one registry and namespace
// to another, by digest, without building.
func runPromote(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf specFlags
	var ef imageFlags
	var rf registryFlags
	var o pipeline.Options
	var from pipeline.Target
	fs := newFlags("promote", "promote "+specSynopsis+synopsisIndent+
		"[--from-registry HOST] [--from-namespace NS] "+imageSynopsis+synopsisIndent+registrySynopsis+" [IMAGE...]", stdout)
	sf.register(fs)
	ef.register(fs)
	rf.register(fs)
	fs.StringVar(&from.Registry, "from-registry", "", "copy from `HOST` instead of the registry of the spec's first push target")
	fs.StringVar(&from.Namespace, "from-namespace", "", "copy from namespace `NS` instead of the first push target's")
	if err := parse(fs, args); err != nil {
		return err
	}
	sf.apply(&o)
	if err := ef.apply(&o); err != nil {
		return err
	}
	if err := rf.apply(&o); err != nil {
		return err
	}
	o.Images = fs.Args()
	o.Log = stderr
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	promoted, err := r.Promote(ctx, o, from)
	if err != nil {
		return err
	}
	printCopied(stdout, promoted)
	return nil
}
