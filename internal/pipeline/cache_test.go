package pipeline

import (
	"errors"
	"strings"
	"testing"
)

func TestCacheLimit(t *testing.T) {
	for _, tc := range []struct {
		flag, env string
		want      int64
		err       string
	}{
		{"", "", 10e9, ""},
		{"", "500MB", 500e6, ""},
		{"2GB", "500MB", 2e9, ""},
		{"0", "", 0, ""},
		{"1234", "", 1234, ""},
		{"lots", "", 0, `--cache-limit "lots"`},
		{"", "-5GB", 0, `$WSBUILD_CACHE_LIMIT "-5GB"`},
	} {
		t.Setenv(EnvCacheLimit, tc.env)
		got, err := Options{CacheLimit: tc.flag}.cacheLimit()
		var ie *InputError
		if tc.err != "" {
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("flag %q env %q: %v, want an InputError naming %s", tc.flag, tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("flag %q env %q: %d, %v; want %d", tc.flag, tc.env, got, err, tc.want)
		}
	}
}
