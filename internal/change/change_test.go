package change

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/spec"
)

const family = `images:
  python:
    base: debian:bookworm
    apt: [git]
  tools:
    from: python
    copy: [{src: notes.txt, dst: /opt/notes.txt}]
  app:
    from: tools
push:
  - {registry: reg.example, namespace: lab}
`

func mustPlan(t *testing.T, src, notes string, sets ...string) *plan.Plan {
	t.Helper()
	fsys := fstest.MapFS{"notes.txt": {Data: []byte(notes)}}
	f, err := spec.Parse("wsbuild.yaml", []byte(src), spec.WithFS(fsys), spec.WithOverrides(sets))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f, plan.WithContext(fsys))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetBaseDigests(map[string]digest.Digest{"debian:bookworm": digest.FromString("base v1")}); err != nil {
		t.Fatal(err)
	}
	return p
}

// pushed is what registries would hold after pushing every image of p.
func pushed(p *plan.Plan) map[string]publish.Found {
	out := map[string]publish.Found{}
	for i, n := range p.Nodes {
		for _, r := range n.Refs {
			out[r.Name] = publish.Found{
				Ref: r.Name, Exists: true, InputDigest: n.InputDigest, Inputs: n.Inputs,
				Digest: v1.Hash{Algorithm: "sha256", Hex: strings.Repeat(string(rune('a'+i)), 64)},
			}
		}
	}
	return out
}

func summary(ds []Decision) string {
	var out []string
	for _, d := range ds {
		s := d.Node.Name + "=" + string(d.Action)
		if len(d.Reasons) > 0 {
			s += "(" + strings.Join(d.Reasons, "; ") + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestDecide(t *testing.T) {
	before := mustPlan(t, family, "v1")
	found := pushed(before)
	tests := []struct {
		name  string
		after *plan.Plan
		found map[string]publish.Found
		force bool
		want  string
	}{
		{"nothing changed", mustPlan(t, family, "v1"), found, false,
			"python=skip tools=skip app=skip"},
		{"leaf changed", mustPlan(t, family, "v1", "app.env.X=1"), found, false,
			`python=skip tools=skip app=build(spec field "env" changed)`},
		{"copied file changed", mustPlan(t, family, "v2"), found, false,
			`python=skip tools=build(file "notes.txt" changed) app=build(parent "tools" changed)`},
		{"root changed", mustPlan(t, family, "v1", "python.apt=[git, vim]"), found, false,
			`python=build(spec field "apt" changed) tools=build(parent "python" changed) app=build(parent "tools" changed)`},
		{"force", mustPlan(t, family, "v1"), found, true,
			"python=build(--force was given) tools=build(--force was given) app=build(--force was given)"},
		{"nothing pushed", mustPlan(t, family, "v1"), nil, false,
			"python=build(reg.example/lab/python:latest does not exist yet) tools=build(reg.example/lab/tools:latest does not exist yet) app=build(reg.example/lab/app:latest does not exist yet)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(Decide(tt.after, tt.found, tt.force)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestBaseDigestMovesEveryImage(t *testing.T) {
	before := mustPlan(t, family, "v1")
	found := pushed(before)
	after := mustPlan(t, family, "v1")
	if err := after.SetBaseDigests(map[string]digest.Digest{"debian:bookworm": digest.FromString("base v2")}); err != nil {
		t.Fatal(err)
	}
	ds := Decide(after, found, false)
	if ds[0].Action != Build || !slices.Equal(ds[0].Changed, []string{"baseDigest"}) {
		t.Fatalf("root: %+v", ds[0])
	}
	if !strings.Contains(ds[0].Reasons[0], `base "debian:bookworm" now resolves to `+digest.FromString("base v2").String()) {
		t.Errorf("reason %q", ds[0].Reasons[0])
	}
	for _, d := range ds[1:] {
		if d.Action != Build || !slices.Equal(d.Changed, []string{"parent"}) {
			t.Errorf("%s: %+v", d.Node.Name, d)
		}
	}
}

func TestSkipRecordsWhatTheTagsHold(t *testing.T) {
	p := mustPlan(t, family, "v1")
	found := pushed(p)
	ds := Decide(p, found, false)
	for _, d := range ds {
		want := found[d.Node.Refs[0].Name]
		if d.Existing != want.Digest || len(d.Found) != 1 || d.Found[0].Digest != want.Digest {
			t.Errorf("%s: existing %v found %+v, want %v", d.Node.Name, d.Existing, d.Found, want.Digest)
		}
	}
}

func TestUncomparableImages(t *testing.T) {
	p := mustPlan(t, family, "v1")
	found := pushed(mustPlan(t, family, "v1", "python.env.A=1"))
	ref := p.Nodes[0].Refs[0].Name
	f := found[ref]
	f.Inputs = nil
	found[ref] = f
	foreign := found[p.Nodes[1].Refs[0].Name]
	foreign.InputDigest, foreign.Inputs = "", nil
	found[p.Nodes[1].Refs[0].Name] = foreign
	ds := Decide(p, found, false)
	if ds[0].Action != Build || !strings.Contains(ds[0].Reasons[0], "was built from other inputs") {
		t.Errorf("root without inputs: %+v", ds[0])
	}
	if ds[1].Action != Build || !strings.Contains(ds[1].Reasons[0], "without a wsbuild input digest") {
		t.Errorf("foreign image: %+v", ds[1])
	}
}

func TestChanged(t *testing.T) {
	a := map[string]digest.Digest{"apt": "sha256:1", "env": "sha256:2", "old": "sha256:3"}
	b := map[string]digest.Digest{"apt": "sha256:1", "env": "sha256:9", "new": "sha256:4"}
	if got := Changed(a, b); !slices.Equal(got, []string{"env", "new", "old"}) {
		t.Errorf("Changed = %v", got)
	}
	if got := Changed(nil, b); got != nil {
		t.Errorf("Changed(nil, …) = %v, want nil", got)
	}
}
