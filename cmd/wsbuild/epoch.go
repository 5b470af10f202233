package main

import (
	"fmt"

	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/llb"
)

// envSourceDateEpoch is the variable that sets the source date epoch when
// the flag does not (https://reproducible-builds.org/specs/source-date-epoch/).
const envSourceDateEpoch = llb.EnvSourceDateEpoch

// imageFlags are the flags of the commands that plan or build that change
// what the images are, so their input digests: --source-date-epoch and
// --compression with --compression-level.
type imageFlags struct {
	fs          *pflag.FlagSet
	value       string
	compression string
	level       int
}

func (e *imageFlags) register(fs *pflag.FlagSet) {
	e.fs = fs
	fs.StringVar(&e.value, "source-date-epoch", "", "fix every timestamp to these `SECONDS` since 1970 UTC, for reproducible images "+
		"(default $"+envSourceDateEpoch+", else the spec's source_date_epoch)")
	fs.StringVar(&e.compression, "compression", "", "compress the layers images add with `TYPE`: gzip (the default, "+
		"read by every runtime), zstd (smaller and faster, for runtimes that take it) or uncompressed (default: the spec's compression:)")
	fs.IntVar(&e.level, "compression-level", 0, "the compression `LEVEL`: gzip 0 to 9, zstd 1 to 22 (default: the type's)")
}

// apply hands the flags, when given, to the pipeline, which ranks the epoch
// with $SOURCE_DATE_EPOCH and the spec and reports a bad value. A bad
// compression is a usage error.
func (e *imageFlags) apply(o *pipeline.Options) error {
	if e.fs.Changed("source-date-epoch") {
		o.SourceDateEpoch = &e.value
	}
	if !e.fs.Changed("compression") && !e.fs.Changed("compression-level") {
		return nil
	}
	if !e.fs.Changed("compression") {
		return usageError{fmt.Errorf("--compression-level needs --compression")}
	}
	var level *int
	if e.fs.Changed("compression-level") {
		level = &e.level
	}
	c, err := spec.ParseCompression(e.compression, level)
	if err != nil {
		return usageError{fmt.Errorf("--compression: %v", err)}
	}
	o.Compression = &c
	return nil
}
