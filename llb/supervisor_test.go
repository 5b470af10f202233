package llb

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/proto"
)

// TestChildDropsParentsRunProgram checks that a child without run: of its
// own removes the supervisor program of its parent's run command, so that
// supervisord runs exactly the programs the child's check expects.
func TestChildDropsParentsRunProgram(t *testing.T) {
	images := compileYAML(t, `images:
  desk:
    base: debian:bookworm
    desktop: true
    run: [xterm]
  ssh:
    from: desk
    sshd: true
`)
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

// TestRunCannotInjectSupervisorConfig gives run: a newline followed by a
// supervisor section and a %: the supervisor files must hold neither, and
// the run script must hold the command as one quoted word.
func TestRunCannotInjectSupervisorConfig(t *testing.T) {
	images := compileYAML(t, `images:
  desk:
    base: debian:bookworm
    desktop: true
    run: ["/bin/echo", "hi\n[program:evil]\ncommand=/bin/evil\n", "100%(ENV_X)s"]
`)
	files := mkfiles(t, images[0])
	for name, data := range files {
		if strings.HasPrefix(name, SupervisorDir+"/") && (strings.Contains(data, "evil") || strings.Contains(data, "%")) {
			t.Errorf("%s holds what run: wrote:\n%s", name, data)
		}
	}
	if conf := files[SupervisorDir+"/run.conf"]; !strings.Contains(conf, "command="+RunScript+"\n") {
		t.Errorf("run.conf does not start %s:\n%s", RunScript, conf)
	}
	want := "exec /bin/echo 'hi\n[program:evil]\ncommand=/bin/evil\n' '100%(ENV_X)s'\n"
	if script := files[RunScript]; !strings.HasSuffix(script, want) {
		t.Errorf("%s =\n%s\nwant it to end in\n%s", RunScript, script, want)
	}
}

// mkfiles returns the files img's LLB writes, by path.
func mkfiles(t *testing.T, img *Image) map[string]string {
	t.Helper()
	def, err := img.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, raw := range def.Def {
		var o pb.Op
		if err := proto.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		for _, a := range o.GetFile().GetActions() {
			if mk := a.GetMkfile(); mk != nil {
				out[mk.Path] = string(mk.Data)
			}
		}
	}
	return out
}
