package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// envSourceDateEpoch is the variable that sets the source date epoch when
// the flag does not (https://reproducible-builds.org/specs/source-date-epoch/).
const envSourceDateEpoch = "SOURCE_DATE_EPOCH"

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

// apply sets o.SourceDateEpoch from the flag, else from $SOURCE_DATE_EPOCH
// when that is not empty; a bad value of either is a usage error naming it.
// Neither leaves the spec's source_date_epoch in force.
func (e *epochFlag) apply(o *pipeline.Options) error {
	name, value := "--source-date-epoch", e.value
	if !e.fs.Changed("source-date-epoch") {
		name, value = "$"+envSourceDateEpoch, os.Getenv(envSourceDateEpoch)
		if value == "" {
			return nil
		}
	}
	secs, err := spec.ParseSourceDateEpoch(value)
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", name, err)}
	}
	t := time.Unix(secs, 0).UTC()
	o.SourceDateEpoch = &t
	return nil
}
