package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// runValidate checks a spec without building anything.
func runValidate(_ context.Context, args []string, stdout, _ io.Writer) error {
	var sf specFlags
	fs := newFlags("validate", "validate "+specSynopsis, stdout)
	sf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("validate takes no arguments, got %q", fs.Args())}
	}
	var o pipeline.Options
	sf.apply(&o)
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	p, err := r.Validate(o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d images, valid\n", p.Family.File, len(p.Family.Names))
	for _, note := range p.Notes() {
		fmt.Fprintf(stdout, "note: %s\n", note)
	}
	return nil
}
