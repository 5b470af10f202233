package spec

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxSourceDateEpoch is the last second of the year 9999, the latest time an
// OCI image config can hold.
const MaxSourceDateEpoch = 253402300799

// ParseSourceDateEpoch parses a SOURCE_DATE_EPOCH value as the flag and the
// environment give it: a whole number of seconds since 1970-01-01 00:00 UTC,
// from 0 to MaxSourceDateEpoch.
func ParseSourceDateEpoch(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number of seconds since 1970-01-01 UTC", s)
	}
	return n, checkEpoch(n)
}

func checkEpoch(n int64) error {
	switch {
	case n < 0:
		return fmt.Errorf("must not be negative, got %d", n)
	case n > MaxSourceDateEpoch:
		return fmt.Errorf("%d is after the year 9999", n)
	}
	return nil
}

// sourceDateEpoch decodes the family's source_date_epoch: an integer number
// of seconds since 1970-01-01 UTC; null leaves it unset.
func (d *decoder) sourceDateEpoch(f field) *int64 {
	n := f.val
	if isNull(n) {
		return nil
	}
	var v int64
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" && strings.Trim(n.Value, "0123456789") == "":
		// YAML takes more digits than an int64 holds for a float.
		d.fail(f, "%s is after the year 9999", n.Value)
		return nil
	case n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil:
		d.fail(f, "expected a whole number of seconds since 1970-01-01 UTC, got %s", describe(n))
		return nil
	}
	if err := checkEpoch(v); err != nil {
		d.fail(f, "%v", err)
		return nil
	}
	return &v
}
