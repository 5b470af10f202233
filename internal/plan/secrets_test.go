package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsInInputDigest proves the input digest covers the pip index's
// URL, user and secret id, but not where the secret's value is read from
// (nor, since the plan never sees it, the value).
func TestSecretsInInputDigest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "compile", "pip-index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pipIndexSpec := string(b)
	base := mustPlan(t, pipIndexSpec, nil).Nodes[0].InputDigest
	for _, tc := range []struct {
		name, from, to string
		same           bool
	}{
		{"another variable", "{env: PYPI_TOKEN}", "{env: OTHER_TOKEN}", true},
		{"a file instead", "{env: PYPI_TOKEN}", "{file: token.txt}", true},
		{"another URL", "pypi.example.org/simple", "pypi.example.org/other/simple", false},
		{"another user", "user: ci", "user: bot", false},
	} {
		got := mustPlan(t, strings.Replace(pipIndexSpec, tc.from, tc.to, 1), nil).Nodes[0].InputDigest
		if (got == base) != tc.same {
			t.Errorf("%s: digest changed %v, want changed %v", tc.name, got != base, !tc.same)
		}
	}
}
