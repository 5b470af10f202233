package localfs

import (
	"testing"

	"github.com/moby/patternmatcher"
)

func TestPatternMatchesOnlyItsPath(t *testing.T) {
	for _, tc := range []struct{ name, other string }{
		{"app.py", "app.pyc"},
		{"we ird[*].py", "we irdx.py"},
		{"a?b", "axb"},
		{"dir/[x]/f*", "dir/x/foo"},
		{`back\slash`, "backslash"},
		{"!bang", "bang"},
		{"close]", "close"},
	} {
		pm, err := patternmatcher.New([]string{Pattern(tc.name)})
		if err != nil {
			t.Fatalf("%q: %v", tc.name, err)
		}
		if ok, err := pm.MatchesOrParentMatches(tc.name); err != nil || !ok {
			t.Errorf("pattern %q does not match %q (err %v)", Pattern(tc.name), tc.name, err)
		}
		if ok, _ := pm.MatchesOrParentMatches(tc.other); ok {
			t.Errorf("pattern %q matches %q too", Pattern(tc.name), tc.other)
		}
		if ok, _ := pm.MatchesOrParentMatches(tc.name + "/below"); !ok {
			t.Errorf("pattern %q does not match what is below %q", Pattern(tc.name), tc.name)
		}
	}
	if got := Pattern("plain/path.txt"); got != "plain/path.txt" {
		t.Errorf("Pattern changed an ordinary path: %q", got)
	}
}
