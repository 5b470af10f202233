package frontend

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// options are what the frontend takes from BuildKit's build options.
type options struct {
	// sets are spec overrides, as --set takes them, each positioned at
	// its build arg ("build-arg:pytorch.apt") for errors.
	sets []spec.Override
	// epoch is SOURCE_DATE_EPOCH; nil when not given.
	epoch *time.Time
}

// readBuildArgs turns build args into spec overrides: "IMAGE.FIELD=value"
// (build-arg:pytorch.apt=[git]) overrides a field as --set does, a plain
// lowercase name (build-arg:python=3.12) fixes that matrix axis. The
// build args BuildKit and buildx set themselves (SOURCE_DATE_EPOCH, which
// fixes the epoch, BUILDKIT_*, proxies) are not overrides.
func readBuildArgs(args map[string]string) (options, error) {
	var o options
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := args[k]
		switch {
		case k == "SOURCE_DATE_EPOCH":
			if v == "" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return o, fmt.Errorf("build-arg:SOURCE_DATE_EPOCH=%q: not a number of seconds since 1970", v)
			}
			t := time.Unix(n, 0).UTC()
			o.epoch = &t
		case isUpper(k):
			// BUILDKIT_SYNTAX, HTTP_PROXY…: BuildKit's, not the spec's.
		case strings.Contains(k, "."):
			o.sets = append(o.sets, buildArg(k, k+"="+v))
		default:
			o.sets = append(o.sets, buildArg(k, "matrix."+k+"="+v))
		}
	}
	return o, nil
}

// buildArg is the override set, positioned at the build arg key.
func buildArg(key, set string) spec.Override {
	return spec.Override{Value: set, Pos: spec.Position{File: "build-arg:" + key}}
}

// isUpper reports whether s has no lowercase letter.
func isUpper(s string) bool { return !strings.ContainsFunc(s, unicode.IsLower) }
