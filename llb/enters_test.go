package llb

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

// enteringSettings are settings of each registered feature for
// TestPlanAndCompileAgree; a new feature must be added here.
var enteringSettings = map[string]string{
	"cuda":    `"12.4"`,
	"python":  `{version: "3.12", via: uv}`,
	"desktop": `{novnc: true}`,
	"sshd":    `true`,
	"jupyter": `true`,
	"r":       `{packages: [ggplot2]}`,
	"steps":   `[{name: one, run: "echo one"}]`,
}

// TestPlanAndCompileAgree sets each registered feature where it enters a
// chain below its start (at the start for a ChainStart feature), with a
// Python that uv installs there, and compiles the plan with exactly the
// external images the plan lists: the plan must name every image the
// compiler needs (uv's, a CUDA leg's), wherever a feature enters.
func TestPlanAndCompileAgree(t *testing.T) {
	for _, f := range feature.All() {
		settings, ok := enteringSettings[f.Key()]
		if !ok {
			t.Fatalf("feature %q has no settings in enteringSettings; add them", f.Key())
		}
		t.Run(f.Key(), func(t *testing.T) {
			root, child := "", fmt.Sprintf("    %s: %s\n", f.Key(), settings)
			if f.ChainStart() {
				root, child = child, ""
			}
			if f.Key() != "python" {
				child += "    python: {version: \"3.12\", via: uv}\n"
			}
			yaml := "images:\n  a:\n    base: debian:bookworm\n" + root + "  b:\n    from: a\n" + child
			fam, err := spec.Parse("wsbuild.yaml", []byte(yaml))
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.New(fam)
			if err != nil {
				t.Fatal(err)
			}
			bases := map[string]Base{}
			for _, name := range p.Bases() {
				bases[name] = stubBase(name)
			}
			if _, err := Compile(p, bases, WithPlatform(amd64)); err != nil {
				t.Fatalf("plan lists bases %v, but: %v", p.Bases(), err)
			}
			if !strings.Contains(strings.Join(p.Bases(), " "), templates.UVImage) {
				t.Errorf("bases %v lack uv's image %s, which b's python needs", p.Bases(), templates.UVImage)
			}
		})
	}
}

// stubBase is a resolved stand-in for the image called name.
func stubBase(name string) Base {
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}`)
	return Base{Ref: "example.com/" + strings.NewReplacer(":", "-", "/", "-").Replace(name) + "@sha256:" + strings.Repeat("d", 64), Config: cfg}
}
