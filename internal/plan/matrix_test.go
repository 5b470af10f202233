package plan

import (
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/spec"
)

const matrixFamily = `matrix:
  python: ["3.11", "3.12"]
  cuda: [false, "12.4"]
  exclude: [{python: "3.12", cuda: "12.4"}]
images:
  python:
    base: debian:bookworm
    tag: "1.0"
  pytorch:
    from: python
    matrix:
      torch: ["2.2", "2.3"]
      tag: "{torch}-py{python}-{cuda}"
    pip: ["torch=={torch}"]
  jupyter:
    from: pytorch
    jupyter: true
  other:
    base: debian:bookworm
    matrix: {tag: "{python}-{cuda}"}
push:
  - {registry: reg.example, namespace: lab}
`

func TestMatrixSelection(t *testing.T) {
	for _, tc := range []struct {
		name       string
		selection  []string
		dependents bool
		want       string
	}{
		{"a variant and its ancestors", []string{"jupyter:2.3-py3.12-cpu"}, false,
			"python:1.0-py3.12-cpu pytorch:2.3-py3.12-cpu jupyter:2.3-py3.12-cpu"},
		{"a declared image: all its variants", []string{"pytorch"}, false,
			"python:1.0-py3.11-cpu python:1.0-py3.11-cuda12.4 python:1.0-py3.12-cpu pytorch:2.2-py3.11-cpu pytorch:2.3-py3.11-cpu pytorch:2.2-py3.11-cuda12.4 pytorch:2.3-py3.11-cuda12.4 pytorch:2.2-py3.12-cpu pytorch:2.3-py3.12-cpu"},
		{"a variant with its dependents", []string{"python:1.0-py3.12-cpu"}, true,
			"python:1.0-py3.12-cpu pytorch:2.2-py3.12-cpu pytorch:2.3-py3.12-cpu jupyter:2.2-py3.12-cpu jupyter:2.3-py3.12-cpu"},
		{"a variant without dependents", []string{"python:1.0-py3.12-cpu"}, false, "python:1.0-py3.12-cpu"},
		{"a leaf with dependents", []string{"other:3.11-cpu"}, true, "other:3.11-cpu"},
	} {
		opts := []Option{WithSelection(tc.selection...)}
		if tc.dependents {
			opts = append(opts, WithDependents())
		}
		if got := names(mustPlan(t, matrixFamily, nil, opts...)); got != tc.want {
			t.Errorf("%s: order\n %q\nwant\n %q", tc.name, got, tc.want)
		}
	}
}

func TestDependentsWithoutMatrix(t *testing.T) {
	for _, tc := range []struct {
		selection []string
		want      string
	}{
		{[]string{"python"}, "python tools app"},
		{[]string{"tools"}, "python tools app"},
		{[]string{"other"}, "other"},
		{nil, "python tools other app"},
	} {
		if got := names(mustPlan(t, family, files(), WithSelection(tc.selection...), WithDependents())); got != tc.want {
			t.Errorf("selection %v with dependents: %q, want %q", tc.selection, got, tc.want)
		}
	}
}

func TestMatrixUnknownSelection(t *testing.T) {
	f, err := spec.Parse("wsbuild.yaml", []byte(matrixFamily))
	if err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{
		"pytorh":                 `no image "pytorh" in wsbuild.yaml (did you mean "pytorch"?); images: python, pytorch, jupyter, other`,
		"pytorch:2.4-py3.11-cpu": `no image "pytorch:2.4-py3.11-cpu" in wsbuild.yaml (did you mean "pytorch:2.2-py3.11-cpu"?)`,
		"zzz":                    `no image "zzz" in wsbuild.yaml; images: python, pytorch, jupyter, other`,
	} {
		_, err := New(f, WithSelection(sel))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("selection %q: err = %v, want %q", sel, err, want)
		}
	}
}

func TestMatrixNodes(t *testing.T) {
	p := mustPlan(t, matrixFamily, nil)
	n := p.Node("pytorch:2.3-py3.11-cuda12.4")
	if n == nil {
		t.Fatalf("no node pytorch:2.3-py3.11-cuda12.4 in %s", names(p))
	}
	if n.Repository != "pytorch" || n.Tag != "2.3-py3.11-cuda12.4" || n.View().Python() != "3.11" || n.View().Cuda() != "12.4" {
		t.Errorf("node: repository %q tag %q python %q cuda %q", n.Repository, n.Tag, n.View().Python(), n.View().Cuda())
	}
	if n.Parent != p.Node("python:1.0-py3.11-cuda12.4") {
		t.Errorf("parent %v", n.Parent)
	}
	if got := n.Axes; len(got) != 3 || got[0] != (spec.Axis{Name: "python", Value: "3.11"}) || got[2] != (spec.Axis{Name: "torch", Value: "2.3"}) {
		t.Errorf("axes %v", got)
	}
	if want := "reg.example/lab/pytorch:2.3-py3.11-cuda12.4"; len(n.Refs) != 1 || n.Refs[0].Name != want {
		t.Errorf("refs %v, want %s", n.Refs, want)
	}
	if c := p.Node("python:1.0-py3.12-cpu"); c.View().Cuda() != "" || c.View().Python() != "3.12" || c.View().PythonVia() != feature.PythonUV {
		t.Errorf("python:1.0-py3.12-cpu: cuda %q python %q via %q", c.View().Cuda(), c.View().Python(), c.View().PythonVia())
	}
	seen := map[digest.Digest]string{}
	for _, n := range p.Nodes {
		if other, dup := seen[n.InputDigest]; dup {
			t.Errorf("%s and %s have the same input digest", n.Name, other)
		}
		seen[n.InputDigest] = n.Name
	}
	// Without digesting the axes, these two would differ by name only.
	a, b := p.Node("other:3.11-cpu"), p.Node("other:3.12-cpu")
	if a.InputDigest == b.InputDigest {
		t.Error("variants of other share an input digest")
	}
}

// TestMatrixDigestCoversRepository renames the declared image behind
// otherwise identical variants: the input digest must change.
func TestMatrixDigestCoversRepository(t *testing.T) {
	const src = "matrix: {x: [a]}\nimages:\n  NAME:\n    base: debian:bookworm\n"
	one := mustPlan(t, strings.Replace(src, "NAME", "one", 1), nil).Nodes[0]
	two := mustPlan(t, strings.Replace(src, "NAME", "two", 1), nil).Nodes[0]
	if one.InputDigest == two.InputDigest {
		t.Errorf("%s and %s share an input digest", one.Name, two.Name)
	}
}

func TestMatrixPlanErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"located at the declared image, naming the variant",
			"matrix: {python: [\"3.11\"]}\nimages:\n  a:\n    base: debian:bookworm\n    apt: [sudo]\n",
			"wsbuild.yaml:5: images.a.apt: variant a:latest-py3.11: sudo is not installed"},
		{"python via distro not shipped by the OS",
			"matrix: {python: [\"3.11\", \"3.12\"]}\nimages:\n  a:\n    base: debian:bookworm\n    python: {version: \"3.11\", via: distro}\n",
			"wsbuild.yaml:5: images.a.python: variant a:latest-py3.12: python 3.12 via distro, but debian12 ships python 3.11"},
		{"copy without a context",
			"matrix: {x: [a]}\nimages:\n  a:\n    base: debian:bookworm\n    copy: [{src: app, dst: app}]\n",
			"wsbuild.yaml:5: images.a.copy: variant a:latest-a: no build context folder was given"},
	} {
		f, err := spec.Parse("wsbuild.yaml", []byte(tc.src))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_, err = New(f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestMatrixRefsWithoutAxes(t *testing.T) {
	p := mustPlan(t, family, files())
	if got := p.Node("python").Refs[0].Name; got != "reg.example/lab/python:1.0" {
		t.Errorf("ref %q", got)
	}
	if n := p.Node("python"); n.Repository != "python" || n.Axes != nil {
		t.Errorf("python: repository %q axes %v", n.Repository, n.Axes)
	}
}
