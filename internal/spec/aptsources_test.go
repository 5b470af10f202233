package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// aptSourcesDir is the folder of testdata/compile/apt-sources.yaml.
var aptSourcesDir = filepath.Join("..", "..", "testdata", "compile")

func aptSourcesSpec(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(aptSourcesDir, "apt-sources.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAptSources(t *testing.T) {
	fam, err := Parse("wsbuild.yaml", []byte(aptSourcesSpec(t)), WithFS(os.DirFS(aptSourcesDir)))
	if err != nil {
		t.Fatal(err)
	}
	s := fam.Images["base"].AptSources
	if len(s) != 1 || s[0].Name != "internal" || s[0].User != "ci" || s[0].Secret != "aptauth" ||
		!strings.HasPrefix(string(s[0].KeyData), "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
		t.Errorf("base's apt_sources: %+v", s)
	}
	if c := fam.Images["child"].AptSources; len(c) != 1 || !c[0].Trusted || c[0].Suite != "./" {
		t.Errorf("child's apt_sources: %+v", c)
	}
}

func TestAptSourceErrors(t *testing.T) {
	for _, tc := range []struct{ name, from, to, want string }{
		{"neither key nor trusted", "suite: ./, trusted: true}", "suite: ./}", "wsbuild.yaml:16: images.child.apt_sources.0: give key: (the repository's signing key"},
		{"key and trusted", "key: keys/internal.asc,", "key: keys/internal.asc, trusted: true,", "give key: or trusted: true, not both"},
		{"flat with components", "suite: ./, trusted", "suite: ./, components: [main], trusted", "a flat repository (suite ending in /) has no components"},
		{"no components", "suite: bookworm, components: [main],", "suite: bookworm,", "missing components (such as [main])"},
		{"user without secret", "user: ci, secret: aptauth}", "user: ci}", "a login is user: and secret:"},
		{"secret without user", "user: ci, secret: aptauth}", "secret: aptauth}", "a login is user: and secret:"},
		{"credentials in the URI", `"https://apt.example.org/debian"`, `"https://ci:tok@apt.example.org/debian"`, "the repository URI holds credentials"},
		{"undeclared secret", "secret: aptauth}", "secret: other}", `images.base.apt_sources.0.secret: secret "other" is not declared under secrets: (it declares [aptauth])`},
		{"missing key file", "key: keys/internal.asc", "key: keys/missing.asc", `images.base.apt_sources.0.key: reading "keys/missing.asc"`},
		{"key outside the folder", "key: keys/internal.asc", "key: ../keys/internal.asc", "images.base.apt_sources.0.key"},
		{"bad name", "name: lab,", "name: Lab,", `invalid source name "Lab"`},
		{"a parent's source's name", "name: lab,", "name: internal,", `wsbuild.yaml:16: images.child.apt_sources.0.name: an image it is built on has a source named "internal" already`},
		{"two sources, one name", "secret: aptauth}\n", "secret: aptauth}\n      - {name: internal, uri: \"http://10.0.0.6/x\", suite: ./, trusted: true}\n", `another source is named "internal"`},
		{"ftp", `"http://10.0.0.5/lab"`, `"ftp://10.0.0.5/lab"`, `invalid repository URI "ftp://10.0.0.5/lab"`},
		{"unknown key", "trusted: true}", "trusted: true, arch: amd64}", "arch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(aptSourcesSpec(t), tc.from, tc.to, 1)
			if src == aptSourcesSpec(t) {
				t.Fatalf("%q is not in the spec", tc.from)
			}
			_, err := Parse("wsbuild.yaml", []byte(src), WithFS(os.DirFS(aptSourcesDir)))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
