package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// secretsSpec is the spec text of testdata/compile/pip-index.yaml.
func secretsSpec(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "compile", "pip-index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSecrets(t *testing.T) {
	fam, err := Parse("wsbuild.yaml", []byte(secretsSpec(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Secret{"pypi": {Env: "PYPI_TOKEN"}, "netrc": {File: "ci/netrc"}}
	if !reflect.DeepEqual(fam.Secrets, want) {
		t.Errorf("secrets %+v, want %+v", fam.Secrets, want)
	}
	if got := fam.Images["app"].PipIndex; got == nil || *got != (PipIndex{URL: "https://pypi.example.org/simple", User: "ci", Secret: "pypi"}) {
		t.Errorf("pip_index %+v", got)
	}
}

func TestSecretErrors(t *testing.T) {
	for _, tc := range []struct{ name, from, to, want string }{
		{"undeclared secret", "secret: pypi}", "secret: other}", `wsbuild.yaml:11: images.app.pip_index.secret: secret "other" is not declared under secrets: (it declares [netrc pypi])`},
		{"undeclared secret of a step", "secrets: [netrc]", "secrets: [netrc, token]", `wsbuild.yaml:13: images.app.steps.0.secrets.1: secret "token" is not declared under secrets: (it declares [netrc pypi])`},
		{"bad secret id of a step", "secrets: [netrc]", "secrets: [-x]", `invalid secret id "-x"`},
		{"credentials in the URL", `"https://pypi.example.org/simple"`, `"https://ci:tok@pypi.example.org/simple"`, "the index URL holds credentials: give them as a secret"},
		{"both env and file", "{env: PYPI_TOKEN}", "{env: PYPI_TOKEN, file: x}", "wsbuild.yaml:4: secrets.pypi: a secret is taken from env: or from file:, exactly one of them"},
		{"bad id", "  pypi: {env", "  -pypi: {env", `invalid secret id "-pypi"`},
		{"no url", `url: "https://pypi.example.org/simple", `, "", "images.app.pip_index: missing url"},
		{"ftp url", `"https://pypi.example.org/simple"`, `"ftp://pypi.example.org/simple"`, `invalid index URL "ftp://pypi.example.org/simple"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(secretsSpec(t), tc.from, tc.to, 1)
			if src == secretsSpec(t) {
				t.Fatalf("%q is not in the spec", tc.from)
			}
			_, err := Parse("wsbuild.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
