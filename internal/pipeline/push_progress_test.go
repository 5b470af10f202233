package pipeline

import (
	"strings"
	"testing"
)

// TestPushProgressShown: a build with --push shows each image's push, its
// bytes and layers, on the run's plain progress display.
func TestPushProgressShown(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a")
	var log strings.Builder
	o.Progress, o.Log = "plain", &log
	if _, err := runner(t, &fakeDaemon{}, reg.publisher(t)).Build(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pushing " + reg.tag("python"), "pushing " + reg.tag("a"), " layer", "uploaded", "DONE"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, log.String())
		}
	}
}
