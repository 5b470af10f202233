package plan

import (
	"fmt"
	"time"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// EpochSetting is a source date epoch given ahead of the spec's
// source_date_epoch: by a flag, an environment variable or a frontend's
// build argument.
type EpochSetting struct {
	// Name names the setting in errors, such as "--source-date-epoch".
	Name string
	// Value is the setting's value, whole seconds since 1970-01-01 UTC.
	Value string
	// Set says the setting was given; set to "", it is an error.
	Set bool
}

// SourceDateEpochFrom returns the time of the first setting that is set,
// and nil when none is. With WithSourceDateEpoch it is the one rule for a
// run's source date epoch: the settings in their order (the CLI passes
// --source-date-epoch, then $SOURCE_DATE_EPOCH when not empty), else the
// spec's source_date_epoch, else none. A bad value is an error naming its
// setting.
func SourceDateEpochFrom(settings ...EpochSetting) (*time.Time, error) {
	for _, s := range settings {
		if !s.Set {
			continue
		}
		secs, err := spec.ParseSourceDateEpoch(s.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		t := time.Unix(secs, 0).UTC()
		return &t, nil
	}
	return nil, nil
}
