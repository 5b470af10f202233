package llb

import (
	"context"
	"slices"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/proto"
)

// TestChildRerunsAncestorTests compiles a three-level chain whose first two
// levels have test commands, and checks that every image runs the tests of
// its ancestors and its own, in that order, each as an exec on the image's
// own result rather than an ancestor's.
func TestChildRerunsAncestorTests(t *testing.T) {
	images := compileYAML(t, `images:
  parent:
    base: debian:bookworm
    test: ["parent-test"]
  child:
    from: parent
    test: ["child-test one", "child-test two"]
  grandchild:
    from: child
`)
	want := map[string][]string{
		"parent":     {"parent-test"},
		"child":      {"parent-test", "child-test one", "child-test two"},
		"grandchild": {"parent-test", "child-test one", "child-test two"},
	}
	if len(images) != len(want) {
		t.Fatalf("compiled %d images, want %d", len(images), len(want))
	}
	for _, img := range images {
		def, err := img.Definition(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var term pb.Op
		if err := proto.Unmarshal(def.Def[len(def.Def)-1], &term); err != nil {
			t.Fatal(err)
		}
		result := term.Inputs[0].Digest // the image's root
		var ran []string
		for _, c := range img.Checks {
			if !strings.HasPrefix(c.Name, "test ") {
				continue
			}
			cmd, on := checkExec(t, c, img)
			if on != result {
				t.Errorf("%s: check %q runs on %s, not on the image's result %s", img.Node.Name, c.Name, on, result)
			}
			ran = append(ran, cmd)
		}
		if !slices.Equal(ran, want[img.Node.Name]) {
			t.Errorf("%s runs tests %q, want %q", img.Node.Name, ran, want[img.Node.Name])
		}
	}
}

// checkExec returns the script of check c's exec op, without the "set -eu"
// line, and the digest of the op whose result it runs on.
func checkExec(t *testing.T, c Check, img *Image) (script, on string) {
	t.Helper()
	def, err := c.State.Marshal(context.Background(), bk.Platform(img.Config.Platform))
	if err != nil {
		t.Fatal(err)
	}
	var term pb.Op
	if err := proto.Unmarshal(def.Def[len(def.Def)-1], &term); err != nil {
		t.Fatal(err)
	}
	for _, raw := range def.Def {
		if digestOf(raw) != term.Inputs[0].Digest {
			continue
		}
		var o pb.Op
		if err := proto.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		e := o.GetExec()
		if e == nil || len(e.Meta.Args) != 3 || len(o.Inputs) == 0 {
			t.Fatalf("check %q is not a shell exec on the image: %v", c.Name, &o)
		}
		return strings.TrimPrefix(e.Meta.Args[2], "set -eu\n"), o.Inputs[0].Digest
	}
	t.Fatalf("check %q: its exec op is not in its definition", c.Name)
	return "", ""
}
