package llb

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"github.com/wsbuild/wsbuild/internal/localfs"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
	"google.golang.org/protobuf/proto"
)

// contextPatterns compiles the spec in dir and returns the include patterns
// of every build-context source its LLB reads, sorted.
func contextPatterns(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := spec.Load(filepath.Join(dir, "wsbuild.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	folder, err := localfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer folder.Close()
	p, err := plan.New(f, plan.WithContext(folder))
	if err != nil {
		t.Fatal(err)
	}
	images, err := Compile(p, stubBases(), WithPlatform(amd64))
	if err != nil {
		t.Fatal(err)
	}
	def, err := images[0].Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, raw := range def.Def {
		var o pb.Op
		if err := proto.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		if src := o.GetSource(); src != nil && src.Identifier == "local://"+ContextName {
			var pats []string
			if err := json.Unmarshal([]byte(src.Attrs["local.includepattern"]), &pats); err != nil {
				t.Fatal(err)
			}
			out = append(out, pats)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func TestContextPatternsNameExactlyTheFilesSent(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"wsbuild.yaml": `images:
  a:
    base: debian:bookworm
    python: "3.11"
    requirements: requirements.txt
    copy:
      - {src: "we ird[*].py", dst: app/}
      - {src: current/, dst: data}
      - {src: "!bang", dst: bang}
`,
		"we ird[*].py":     "print('weird')\n",
		"v1/x":             "x",
		"!bang":            "",
		"requirements.txt": "-r more/r.txt\n",
		"more/r.txt":       "numpy\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("v1", filepath.Join(dir, "current")); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{`we ird\[\*\].py`, "current", "v1", `\!bang`},
		{"requirements.txt", "more/r.txt"},
	}
	sort.Slice(want, func(i, j int) bool { return want[i][0] < want[j][0] })
	if got := contextPatterns(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("include patterns %q, want %q", got, want)
	}
}
