package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/feature"
)

// summary writes what expansion decides about an image on one line: name,
// from, tag, axes, python and cuda.
func summary(img *Image) string {
	var axes []string
	for _, a := range img.Axes {
		axes = append(axes, a.Name+"="+a.Value)
	}
	s := fmt.Sprintf("%s repo=%s from=%s tag=%s axes=%s", img.Name, img.Repository, img.From, img.Tag, strings.Join(axes, ","))
	if py, ok := img.Features["python"].(*feature.Python); ok {
		s += " python=" + py.Version
		if py.Via != "" {
			s += "/" + py.Via
		}
	}
	if c, ok := img.Features["cuda"].(*feature.Cuda); ok {
		s += fmt.Sprintf(" cuda=%+v", *c)
	}
	return s
}

// famPy is a family matrix of two Pythons.
const famPy = "matrix:\n  python: [\"3.11\", \"3.12\"]\n"

func TestMatrixExpansion(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		sets []string
		want []string
	}{
		{"no matrix: names unchanged", "images:\n  x:\n    base: debian:bookworm\n  y:\n    from: x\n", nil, []string{
			"x repo=x from= tag= axes=",
			"y repo=y from=x tag= axes=",
		}},
		{"family axis on every image, python set where the chain starts",
			famPy + "images:\n  y:\n    from: x\n  x:\n    base: debian:bookworm\n    python: \"3.10\"\n    tag: \"1.0\"\n", nil, []string{
				"y:latest-py3.11 repo=y from=x:1.0-py3.11 tag=latest-py3.11 axes=python=3.11",
				"y:latest-py3.12 repo=y from=x:1.0-py3.12 tag=latest-py3.12 axes=python=3.12",
				"x:1.0-py3.11 repo=x from= tag=1.0-py3.11 axes=python=3.11 python=3.11",
				"x:1.0-py3.12 repo=x from= tag=1.0-py3.12 axes=python=3.12 python=3.12",
			}},
		{"python mapping keeps via; cuda rendered as cpu and cudaX",
			"matrix:\n  python: 3.11\n  cuda: [false, \"12.4\"]\nimages:\n  x:\n    base: debian:bookworm\n    python: {version: \"3.10\", via: uv}\n    cuda: {version: \"11.8\", flavor: devel}\n", nil, []string{
				"x:latest-py3.11-cpu repo=x from= tag=latest-py3.11-cpu axes=python=3.11,cuda=false python=3.11/uv",
				"x:latest-py3.11-cuda12.4 repo=x from= tag=latest-py3.11-cuda12.4 axes=python=3.11,cuda=12.4 python=3.11/uv cuda={Version:12.4 Cudnn: Flavor:devel Base:}",
			}},
		{"exclude and include", famPy + "  cuda: [false, \"12.4\"]\n  exclude:\n    - {python: \"3.12\", cuda: \"12.4\"}\n  include:\n    - {python: \"3.13\", cuda: false}\n    - {python: \"3.11\", cuda: false}\n" +
			"images:\n  x:\n    base: debian:bookworm\n", nil, []string{
			"x:latest-py3.11-cpu repo=x from= tag=latest-py3.11-cpu axes=python=3.11,cuda=false python=3.11",
			"x:latest-py3.11-cuda12.4 repo=x from= tag=latest-py3.11-cuda12.4 axes=python=3.11,cuda=12.4 python=3.11 cuda={Version:12.4 Cudnn: Flavor: Base:}",
			"x:latest-py3.12-cpu repo=x from= tag=latest-py3.12-cpu axes=python=3.12,cuda=false python=3.12",
			"x:latest-py3.13-cpu repo=x from= tag=latest-py3.13-cpu axes=python=3.13,cuda=false python=3.13",
		}},
		{"image axes inherited by children; the parent without axes keeps its name",
			"images:\n  x:\n    base: debian:bookworm\n  y:\n    from: x\n    matrix:\n      torch: [\"2.2\", \"2.3\"]\n  z:\n    from: y\n    tag: \"1\"\n", nil, []string{
				"x repo=x from= tag= axes=",
				"y:latest-2.2 repo=y from=x tag=latest-2.2 axes=torch=2.2",
				"y:latest-2.3 repo=y from=x tag=latest-2.3 axes=torch=2.3",
				"z:1-2.2 repo=z from=y:latest-2.2 tag=1-2.2 axes=torch=2.2",
				"z:1-2.3 repo=z from=y:latest-2.3 tag=1-2.3 axes=torch=2.3",
			}},
		{"a child's exclude and include name inherited axes; its template is inherited",
			famPy + "images:\n  x:\n    base: debian:bookworm\n  y:\n    from: x\n    matrix:\n      torch: [\"2.2\", \"2.3\"]\n      exclude: [{python: \"3.12\", torch: \"2.2\"}]\n      include: [{python: \"3.11\", torch: \"2.1\"}]\n      tag: \"{torch}-py{python}\"\n  z:\n    from: y\n", nil, []string{
				"x:latest-py3.11 repo=x from= tag=latest-py3.11 axes=python=3.11 python=3.11",
				"x:latest-py3.12 repo=x from= tag=latest-py3.12 axes=python=3.12 python=3.12",
				"y:2.2-py3.11 repo=y from=x:latest-py3.11 tag=2.2-py3.11 axes=python=3.11,torch=2.2",
				"y:2.3-py3.11 repo=y from=x:latest-py3.11 tag=2.3-py3.11 axes=python=3.11,torch=2.3",
				"y:2.3-py3.12 repo=y from=x:latest-py3.12 tag=2.3-py3.12 axes=python=3.12,torch=2.3",
				"y:2.1-py3.11 repo=y from=x:latest-py3.11 tag=2.1-py3.11 axes=python=3.11,torch=2.1",
				"z:2.2-py3.11 repo=z from=y:2.2-py3.11 tag=2.2-py3.11 axes=python=3.11,torch=2.2",
				"z:2.3-py3.11 repo=z from=y:2.3-py3.11 tag=2.3-py3.11 axes=python=3.11,torch=2.3",
				"z:2.3-py3.12 repo=z from=y:2.3-py3.12 tag=2.3-py3.12 axes=python=3.12,torch=2.3",
				"z:2.1-py3.11 repo=z from=y:2.1-py3.11 tag=2.1-py3.11 axes=python=3.11,torch=2.1",
			}},
		{"family template with {version}; an image's own template wins",
			famPy + "  tag: \"{version}-{python}\"\nimages:\n  x:\n    base: debian:bookworm\n    tag: v1\n  y:\n    from: x\n    matrix: {tag: \"py{python}\"}\n", nil, []string{
				"x:v1-3.11 repo=x from= tag=v1-3.11 axes=python=3.11 python=3.11",
				"x:v1-3.12 repo=x from= tag=v1-3.12 axes=python=3.12 python=3.12",
				"y:py3.11 repo=y from=x:v1-3.11 tag=py3.11 axes=python=3.11",
				"y:py3.12 repo=y from=x:v1-3.12 tag=py3.12 axes=python=3.12",
			}},
		{"python axis declared on an image with from sets python there only",
			"images:\n  x:\n    base: debian:bookworm\n  y:\n    from: x\n    matrix: {python: [\"3.11\"]}\n  z:\n    from: y\n", nil, []string{
				"x repo=x from= tag= axes=",
				"y:latest-py3.11 repo=y from=x tag=latest-py3.11 axes=python=3.11 python=3.11",
				"z:latest-py3.11 repo=z from=y:latest-py3.11 tag=latest-py3.11 axes=python=3.11",
			}},
		{"booleans and numbers as written; other axes in declaration order",
			"matrix:\n  flag: [true, false]\n  num: 2.50\n  python: \"3.11\"\nimages:\n  x:\n    base: debian:bookworm\n", nil, []string{
				"x:latest-py3.11-true-2.50 repo=x from= tag=latest-py3.11-true-2.50 axes=flag=true,num=2.50,python=3.11 python=3.11",
				"x:latest-py3.11-false-2.50 repo=x from= tag=latest-py3.11-false-2.50 axes=flag=false,num=2.50,python=3.11 python=3.11",
			}},

		// --set fixes an axis.
		{"--set matrix.python fixes the family axis and drops includes that disagree",
			famPy + "  include: [{python: \"3.13\"}, {python: \"3.12\"}]\nimages:\n  x:\n    base: debian:bookworm\n", []string{"matrix.python=3.12"}, []string{
				"x:latest-py3.12 repo=x from= tag=latest-py3.12 axes=python=3.12 python=3.12",
			}},
		{"--set matrix.python with a one-item list; excludes of other values are no error",
			famPy + "  cuda: [false, \"12.4\"]\n  exclude: [{python: \"3.11\", cuda: \"12.4\"}]\n  include: [{python: \"3.13\", cuda: false}]\nimages:\n  x:\n    base: debian:bookworm\n", []string{"matrix.python=[3.12]"}, []string{
				"x:latest-py3.12-cpu repo=x from= tag=latest-py3.12-cpu axes=python=3.12,cuda=false python=3.12",
				"x:latest-py3.12-cuda12.4 repo=x from= tag=latest-py3.12-cuda12.4 axes=python=3.12,cuda=12.4 python=3.12 cuda={Version:12.4 Cudnn: Flavor: Base:}",
			}},
		{"--set matrix.python adds a family matrix", "images:\n  x:\n    base: debian:bookworm\n", []string{"matrix.python=3.11"}, []string{
			"x:latest-py3.11 repo=x from= tag=latest-py3.11 axes=python=3.11 python=3.11",
		}},
		{"--set IMAGE.matrix.AXIS fixes an image's axis; a child's include that disagrees is dropped",
			"images:\n  x:\n    base: debian:bookworm\n  y:\n    from: x\n    matrix:\n      torch: [\"2.2\", \"2.3\"]\n  z:\n    from: y\n    matrix:\n      include: [{torch: \"2.1\"}]\n", []string{"y.matrix.torch=2.3"}, []string{
				"x repo=x from= tag= axes=",
				"y:latest-2.3 repo=y from=x tag=latest-2.3 axes=torch=2.3",
				"z:latest-2.3 repo=z from=y:latest-2.3 tag=latest-2.3 axes=torch=2.3",
			}},
		{"--set matrix.tag sets the image called matrix when there is one",
			"images:\n  matrix:\n    base: debian:bookworm\n", []string{"matrix.tag=2"}, []string{
				"matrix repo=matrix from= tag=2 axes=",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fam, err := Parse("wsbuild.yaml", []byte(tc.yaml), WithOverrides(tc.sets))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range fam.Names {
				got = append(got, summary(fam.Images[n]))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestMatrixPlaceholders(t *testing.T) {
	const src = famPy + `images:
  x:
    base: "debian:{nope}"
    apt: ["python{python}-dev"]
    pip: ["numpy<{python}"]
    env: {A: "{python}", B: "${HOME}/{python}", C: "${python}", D: "{nope}"}
    labels: {v: "Python {python}", "k{python}": x}
    run: "echo {python} $HOME"
    test: ["test {python} = 3"]
    workdir: "/w/{python}"
    tag: "v{python}"
`
	fam, err := Parse("wsbuild.yaml", []byte(strings.Replace(src, "{nope}", "bookworm", 1)))
	if err != nil {
		t.Fatal(err)
	}
	img := fam.Images["x:v3.12-py3.12"]
	if img == nil {
		t.Fatalf("no variant x:v3.12-py3.12 in %v", fam.Names)
	}
	want := &Image{
		Name: "x:v3.12-py3.12", Repository: "x", Axes: []Axis{{"python", "3.12"}},
		Base: "debian:bookworm", Features: feats("python", &feature.Python{Version: "3.12"}),
		Apt: []string{"python3.12-dev"}, Pip: []string{"numpy<3.12"},
		Env:    map[string]string{"A": "3.12", "B": "${HOME}/3.12", "C": "${python}", "D": "{nope}"},
		Labels: map[string]string{"v": "Python 3.12", "k{python}": "x"},
		Run:    []string{"/bin/sh", "-c", "echo 3.12 $HOME"}, Test: []string{"test 3.12 = 3"},
		Workdir: "/w/3.12", Tag: "v3.12-py3.12",
	}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("got  %+v\nwant %+v", img, want)
	}
}

// TestMatrixPositions checks that a variant's fields are located at the lines
// of the image it was declared as, and python set by an axis at the axis.
func TestMatrixPositions(t *testing.T) {
	fam, err := Parse("wsbuild.yaml", []byte(famPy+"images:\n  x:\n    base: debian:bookworm\n    apt: [git]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for path, line := range map[string]int{"images.x": 4, "images.x.apt": 6, "images.x.python": 2, "matrix.python": 2} {
		if got := fam.At(path); got != (Position{File: "wsbuild.yaml", Line: line}) {
			t.Errorf("At(%q) = %v, want line %d", path, got, line)
		}
	}
}

func TestMatrixSetFile(t *testing.T) {
	list, err := ReadOverrides("lab.sets", []byte("# fix the release\nmatrix.python=3.11\n"))
	if err != nil {
		t.Fatal(err)
	}
	fam, err := Parse("wsbuild.yaml", []byte(famPy+"  include: [{python: \"3.13\"}]\nimages:\n  x:\n    base: debian:bookworm\n"), WithOverrideList(list))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"x:latest-py3.11"}; !reflect.DeepEqual(fam.Names, want) {
		t.Errorf("names %v, want %v", fam.Names, want)
	}
	if got := fam.At("matrix.python"); got != (Position{File: "lab.sets", Line: 2}) {
		t.Errorf("matrix.python at %v", got)
	}
}

func TestMatrixExample(t *testing.T) {
	path := filepath.Join(specDir, "matrix.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fam, err := Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(fam.Names) != 15 {
		t.Errorf("%d variants, want 3 python + 6 pytorch + 6 pytorch-jupyter: %v", len(fam.Names), fam.Names)
	}
	j := fam.Images["pytorch-jupyter:2.3-py3.11-cuda12.4"]
	if j == nil || j.From != "pytorch:2.3-py3.11-cuda12.4" {
		t.Fatalf("pytorch-jupyter:2.3-py3.11-cuda12.4 = %+v", j)
	}
	if p := fam.Images["pytorch:2.3-py3.11-cuda12.4"]; p.From != "python:1.0-py3.11-cuda12.4" || p.Pip[0] != "torch==2.3" {
		t.Errorf("pytorch:2.3-py3.11-cuda12.4 = %+v", p)
	}
}
