package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// runValidate checks a spec without building anything.
func runValidate(_ context.Context, args []string, stdout, _ io.Writer) error {
	var sf specFlags
	fs := newFlags("validate", "validate [-f FILE] [--set image.key=value]", stdout)
	sf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("validate takes no arguments, got %q", fs.Args())}
	}
	f, err := pipeline.Load(pipeline.Options{SpecFile: sf.file, Sets: sf.sets})
	if err != nil {
		return err
	}
	if _, err := plan.New(f, plan.WithContext(os.DirFS(filepath.Dir(sf.file)))); err != nil {
		return &pipeline.InputError{Err: err}
	}
	fmt.Fprintf(stdout, "%s: %d images, valid\n", f.File, len(f.Names))
	return nil
}
