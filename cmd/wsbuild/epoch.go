package main

import (
	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/llb"
)

// envSourceDateEpoch is the variable that sets the source date epoch when
// the flag does not (https://reproducible-builds.org/specs/source-date-epoch/).
const envSourceDateEpoch = llb.EnvSourceDateEpoch

// epochFlag is --source-date-epoch of the commands that plan or build.
type epochFlag struct {
	fs    *pflag.FlagSet
	value string
}

func (e *epochFlag) register(fs *pflag.FlagSet) {
	e.fs = fs
	fs.StringVar(&e.value, "source-date-epoch", "", "fix every timestamp to these `SECONDS` since 1970 UTC, for reproducible images "+
		"(default $"+envSourceDateEpoch+", else the spec's source_date_epoch)")
}

// apply hands the flag, when given, to the pipeline, which ranks it with
// $SOURCE_DATE_EPOCH and the spec and reports a bad value.
func (e *epochFlag) apply(o *pipeline.Options) {
	if e.fs.Changed("source-date-epoch") {
		o.SourceDateEpoch = &e.value
	}
}
