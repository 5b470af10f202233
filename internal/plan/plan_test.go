package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/spec"
)

const family = `images:
  tools:
    from: python
    apt: [git]
    env: {B: child}
    volumes: [scratch]
  python:
    base: debian:bookworm
    python: "3.11"
    volumes: [datasets]
    env: {A: parent, B: parent}
    tag: "1.0"
  other:
    base: ubuntu:22.04
    user: {name: ada, uid: 1001}
  app:
    from: tools
    copy: [{src: app/, dst: app}]
    requirements: requirements.txt
push:
  - {registry: reg.example, namespace: lab}
  - {registry: "127.0.0.1:5000", namespace: ci/ws, insecure: true}
`

func files() fstest.MapFS {
	return fstest.MapFS{
		"app/main.py":      {Data: []byte("print(1)\n")},
		"requirements.txt": {Data: []byte("numpy\n")},
	}
}

func mustPlan(t *testing.T, src string, fsys fstest.MapFS, opts ...Option) *Plan {
	t.Helper()
	f, err := spec.Parse("wsbuild.yaml", []byte(src), spec.WithFS(fsys))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(f, append([]Option{WithContext(fsys)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func names(p *Plan) string {
	var out []string
	for _, n := range p.Nodes {
		out = append(out, n.Name)
	}
	return strings.Join(out, " ")
}

func TestOrderAndSelection(t *testing.T) {
	for _, tc := range []struct {
		selection []string
		want      string
	}{
		{nil, "python tools other app"},
		{[]string{"app"}, "python tools app"},
		{[]string{"other"}, "other"},
		{[]string{"tools", "python"}, "python tools"},
	} {
		if got := names(mustPlan(t, family, files(), WithSelection(tc.selection...))); got != tc.want {
			t.Errorf("selection %v: order %q, want %q", tc.selection, got, tc.want)
		}
	}
}

func TestUnknownSelection(t *testing.T) {
	f, err := spec.Parse("wsbuild.yaml", []byte(family), spec.WithFS(files()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(f, WithSelection("nope"), WithContext(files())); err == nil || !strings.Contains(err.Error(), `no image "nope"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestInheritance(t *testing.T) {
	p := mustPlan(t, family, files())
	tools, other, app := p.Node("tools"), p.Node("other"), p.Node("app")
	if tools.Parent != p.Node("python") || tools.Base != "debian:bookworm" || tools.View().Python() != "3.11" {
		t.Errorf("tools: parent %v base %q python %q", tools.Parent, tools.Base, tools.View().Python())
	}
	if tools.User != (spec.User{Name: "user", UID: 1000, GID: 1000}) || tools.Home != "/home/user" || tools.Workdir != "/home/user" {
		t.Errorf("tools: user %+v home %q workdir %q", tools.User, tools.Home, tools.Workdir)
	}
	if got := strings.Join(tools.Volumes, ","); got != "datasets,scratch" {
		t.Errorf("tools volumes %q", got)
	}
	if got := tools.Env; len(got) != 2 || got[0] != (EnvVar{"A", "parent"}) || got[1] != (EnvVar{"B", "child"}) {
		t.Errorf("tools env %v", got)
	}
	if other.User != (spec.User{Name: "ada", UID: 1001, GID: 1000}) || other.Home != "/home/ada" {
		t.Errorf("other user %+v home %q", other.User, other.Home)
	}
	if app.Tag != "latest" || p.Node("python").Tag != "1.0" {
		t.Errorf("tags %q %q", app.Tag, p.Node("python").Tag)
	}
	want := []oci.Ref{{Name: "reg.example/lab/app:latest", Repository: "reg.example/lab/app"}, {Name: "127.0.0.1:5000/ci/ws/app:latest", Repository: "127.0.0.1:5000/ci/ws/app", Insecure: true}}
	if len(app.Refs) != 2 || app.Refs[0] != want[0] || app.Refs[1] != want[1] {
		t.Errorf("app refs %v, want %v", app.Refs, want)
	}
	if got := strings.Join(p.Bases(), " "); got != "debian:bookworm ubuntu:22.04" {
		t.Errorf("bases %q", got)
	}
}

// TestInputDigest changes one input at a time and checks which images' input
// digests change: the image itself and everything below it, nothing else.
func TestInputDigest(t *testing.T) {
	base := mustPlan(t, family, files())
	digests := func(p *Plan) map[string]digest.Digest {
		m := map[string]digest.Digest{}
		for _, n := range p.Nodes {
			m[n.Name] = n.InputDigest
		}
		return m
	}
	want := digests(base)
	changedFS := files()
	changedFS["app/main.py"] = &fstest.MapFile{Data: []byte("print(2)\n")}
	changedReq := files()
	changedReq["requirements.txt"] = &fstest.MapFile{Data: []byte("scipy\n")}
	for _, tc := range []struct {
		name    string
		plan    *Plan
		changed string
	}{
		{"same inputs", mustPlan(t, family, files()), ""},
		{"parent apt", mustPlan(t, strings.Replace(family, "apt: [git]", "apt: [git, curl]", 1), files()), "tools app"},
		{"root env", mustPlan(t, strings.Replace(family, "A: parent,", "A: changed,", 1), files()), "python tools app"},
		{"copied file", mustPlan(t, family, changedFS), "app"},
		{"requirements", mustPlan(t, family, changedReq), "app"},
		{"base digest", withBaseDigests(t, mustPlan(t, family, files()), map[string]digest.Digest{"ubuntu:22.04": digest.FromString("x")}), "other"},
		{"template version", mustPlan(t, family, files(), WithTemplateVersion("next")), "python tools other app"},
		{"platform", mustPlan(t, family, files(), WithPlatform("linux/riscv64")), "python tools other app"},
		{"source date epoch", mustPlan(t, family, files(), WithSourceDateEpoch(time.Unix(1700000000, 0))), "python tools other app"},
		{"source date epoch 0", mustPlan(t, family, files(), WithSourceDateEpoch(time.Unix(0, 0))), "python tools other app"},
		{"spec source_date_epoch", mustPlan(t, family+"source_date_epoch: 1700000000\n", files()), "python tools other app"},
	} {
		got := digests(tc.plan)
		var changed []string
		for _, n := range tc.plan.Nodes {
			if got[n.Name] != want[n.Name] {
				changed = append(changed, n.Name)
			}
		}
		if strings.Join(changed, " ") != tc.changed {
			t.Errorf("%s: changed %v, want %q", tc.name, changed, tc.changed)
		}
	}
}

// TestSourceDateEpoch checks that the option wins over the spec's key, and
// that the same epoch from either gives the same input digests.
func TestSourceDateEpoch(t *testing.T) {
	withKey := family + "source_date_epoch: 1700000000\n"
	for _, tc := range []struct {
		name string
		plan *Plan
		want int64 // -1: unset
	}{
		{"unset", mustPlan(t, family, files()), -1},
		{"spec", mustPlan(t, withKey, files()), 1700000000},
		{"option", mustPlan(t, family, files(), WithSourceDateEpoch(time.Unix(1600000000, 0))), 1600000000},
		{"option over spec", mustPlan(t, withKey, files(), WithSourceDateEpoch(time.Unix(1600000000, 0))), 1600000000},
	} {
		got, ok := tc.plan.SourceDateEpoch()
		if tc.want < 0 && ok || tc.want >= 0 && (!ok || got.Unix() != tc.want || got.Location() != time.UTC) {
			t.Errorf("%s: SourceDateEpoch() = %v, %v; want %d", tc.name, got, ok, tc.want)
		}
	}
	a := mustPlan(t, withKey, files())
	b := mustPlan(t, family, files(), WithSourceDateEpoch(time.Unix(1700000000, 0)))
	for i, n := range a.Nodes {
		if n.InputDigest != b.Nodes[i].InputDigest {
			t.Errorf("%s: the spec's epoch gives input digest %s, the same epoch as an option %s", n.Name, n.InputDigest, b.Nodes[i].InputDigest)
		}
	}
}

func TestPlanErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"pip without python", "images:\n  a:\n    base: debian:bookworm\n    pip: [numpy]\n",
			"wsbuild.yaml:4: images.a.pip: pip packages need python"},
		{"sudo", "images:\n  a:\n    base: debian:bookworm\n    apt: [sudo]\n",
			"wsbuild.yaml:4: images.a.apt: sudo is not installed"},
		{"python differs from parent", "images:\n  a:\n    base: debian:bookworm\n    python: \"3.11\"\n  b:\n    from: a\n    python: \"3.12\"\n",
			`wsbuild.yaml:7: images.b.python: python is set once per chain: parent "a" has {"version":"3.11","via":"auto"}, not {"version":"3.12","via":"auto"}`},
		{"child changes the account", "images:\n  a:\n    base: debian:bookworm\n  b:\n    from: a\n    user: {uid: 1001}\n",
			`wsbuild.yaml:6: images.b.user: user:1001:1000 differs from user:1000:1000 of parent "a"`},
		{"missing copy source", "images:\n  a:\n    base: debian:bookworm\n    copy: [{src: nope, dst: x}]\n",
			`wsbuild.yaml:4: images.a.copy.0.src: "nope" not found in the spec's folder`},
	} {
		f, err := spec.Parse("wsbuild.yaml", []byte(tc.src))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_, err = New(f, WithContext(fstest.MapFS{}))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestSymlinkHashedByTarget(t *testing.T) {
	const src = "images:\n  a:\n    base: debian:bookworm\n    copy: [{src: app, dst: app}]\n"
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "app", "link")
	plan := func() digest.Digest {
		f, err := spec.Parse("wsbuild.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		p, err := New(f, WithContext(os.DirFS(dir)))
		if err != nil {
			t.Fatalf("a dangling symlink must not fail planning: %v", err)
		}
		return p.Nodes[0].InputDigest
	}
	if err := os.Symlink("/nonexistent/one", link); err != nil {
		t.Fatal(err)
	}
	first := plan()
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/nonexistent/two", link); err != nil {
		t.Fatal(err)
	}
	if plan() == first {
		t.Error("changing a symlink's target did not change the input digest")
	}
}

func withBaseDigests(t *testing.T, p *Plan, m map[string]digest.Digest) *Plan {
	t.Helper()
	if err := p.SetBaseDigests(m); err != nil {
		t.Fatal(err)
	}
	return p
}
