package llb

import (
	"context"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// TestChildDropsParentsRunProgram checks that a child without run: of its
// own removes the supervisor program of its parent's run command, so that
// supervisord runs exactly the programs the child's check expects.
func TestChildDropsParentsRunProgram(t *testing.T) {
	f, err := spec.Parse("wsbuild.yaml", []byte(`images:
  desk:
    base: debian:bookworm
    desktop: true
    run: [xterm]
  ssh:
    from: desk
    sshd: true
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f)
	if err != nil {
		t.Fatal(err)
	}
	images, err := Compile(p, stubBases(), WithPlatform(amd64))
	if err != nil {
		t.Fatal(err)
	}
	names := func(img *Image) string {
		def, err := img.Definition(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, md := range def.Metadata {
			out = append(out, md.Description["llb.customname"])
		}
		return strings.Join(out, "\n")
	}
	if got := names(images[0]); !strings.Contains(got, "/etc/wsbuild/supervisor/run.conf") || strings.Contains(got, "-/etc/wsbuild/supervisor/run.conf") {
		t.Errorf("desk does not write its run program:\n%s", got)
	}
	if got := names(images[1]); !strings.Contains(got, "[ssh] workstation files:") || !strings.Contains(got, "-/etc/wsbuild/supervisor/run.conf") {
		t.Errorf("ssh keeps desk's run program:\n%s", got)
	}
}
