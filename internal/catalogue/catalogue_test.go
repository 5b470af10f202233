package catalogue

import (
	"slices"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

func stock(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Stock()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLegs(t *testing.T) {
	legs, err := Legs()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range legs {
		got = append(got, l.OS+" "+l.Name()+" "+l.RootBase+" "+l.Base)
	}
	want := []string{
		"debian12 cpu debian:bookworm debian:bookworm",
		"debian12 cuda12.4 debian:bookworm debian:bookworm",
		"debian12 cuda12.1 debian:bookworm debian:bookworm",
		"debian12 cuda11.8 debian:bookworm debian:bookworm",
		"ubuntu22.04 cpu ubuntu:22.04 ubuntu:22.04",
		"ubuntu22.04 cuda12.4 ubuntu:22.04 nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04",
		"ubuntu22.04 cuda12.1 ubuntu:22.04 nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04",
		"ubuntu22.04 cuda11.8 ubuntu:22.04 nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04",
	}
	if !slices.Equal(got, want) {
		t.Errorf("legs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFindLeg(t *testing.T) {
	for _, tc := range []struct {
		os, cuda string
		want     string // leg name, or the error
	}{
		{"debian12", "false", "cpu"},
		{"debian12", "", "cpu"},
		{"ubuntu22.04", "12.1", "cuda12.1"},
		{"ubuntu", "false", `unknown OS "ubuntu" (did you mean "ubuntu22.04"?) (known: debian12, ubuntu22.04)`},
		{"windows", "false", `unknown OS "windows" (known: debian12, ubuntu22.04)`},
		{"debian12", "12.3", `no CUDA 12.3 leg for debian12 (CUDA versions for debian12: 12.4, 12.1, 11.8; or false for CPU)`},
		{"debian12", "true", `no CUDA true leg for debian12 (CUDA versions for debian12: 12.4, 12.1, 11.8; or false for CPU)`},
	} {
		l, err := FindLeg(tc.os, tc.cuda)
		got := l.Name()
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("FindLeg(%q, %q) = %s, want %s", tc.os, tc.cuda, got, tc.want)
		}
	}
}

func TestTemplates(t *testing.T) {
	c := stock(t)
	list, err := c.Templates()
	if err != nil {
		t.Fatal(err)
	}
	legs, _ := Legs()
	if len(list) != len(c.Names())*len(legs) || len(c.Names()) != 9 {
		t.Fatalf("%d templates of %d images in %d legs", len(list), len(c.Names()), len(legs))
	}
	for _, want := range []Template{
		{Name: "python", OS: "debian12", Leg: "cpu", Base: "debian:bookworm", Description: "Python workstation"},
		{Name: "python-pytorch-jupyter", OS: "debian12", Leg: "cuda12.4", Cuda: "12.4", Base: "debian:bookworm",
			Description: "PyTorch workstation with JupyterLab"},
		{Name: "python-tensorflow-desktop-vnc-sshd", OS: "ubuntu22.04", Leg: "cuda11.8", Cuda: "11.8",
			Base: "nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04", Description: "TensorFlow desktop workstation with sshd for file transfer"},
	} {
		if !slices.Contains(list, want) {
			t.Errorf("no %+v", want)
		}
	}
	if list[0].Name != "python" || list[len(list)-1].Name != "python-tensorflow-jupyter" {
		t.Errorf("not in file order: first %s, last %s", list[0].Name, list[len(list)-1].Name)
	}
}

func TestDescriptionInherited(t *testing.T) {
	c, err := Parse("c.yaml", []byte(`images:
  a: {base: debian:bookworm, labels: {org.opencontainers.image.description: "A"}}
  b: {from: a}
  c: {from: b, labels: {other: x}}
`))
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.Templates()
	if err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range list {
		if tmpl.Description != "A" {
			t.Errorf("%s: description %q, want the root's", tmpl.Name, tmpl.Description)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "c.yaml: empty catalogue"},
		{"[1]", "c.yaml:1: expected a mapping with images: and push:"},
		{"push: []", "c.yaml: images: missing or not a mapping of images"},
		{"images:\n  a: 1", "c.yaml:2: images.a: expected a mapping of image fields"},
		{"images:\n  a: {base: x}\n  b: {from: c}", `c.yaml:3: images.b.from: no image "c" in the catalogue`},
		{"images:\n  a: {from: b}\n  b: {from: a}", `c.yaml: images.a: from: chain loops back to "a"`},
	} {
		_, err := Parse("c.yaml", []byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q) = %v, want %s", tc.in, err, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	c := stock(t)
	if err := c.Check("python-pytorch"); err != nil {
		t.Error(err)
	}
	err := c.Check("pytorch")
	want := `unknown template "pytorch" (did you mean "python-pytorch"?); the templates are: python, python-pytorch, ` +
		`python-pytorch-desktop-vnc, python-pytorch-desktop-vnc-sshd, python-pytorch-jupyter, python-tensorflow, ` +
		`python-tensorflow-desktop-vnc, python-tensorflow-desktop-vnc-sshd, python-tensorflow-jupyter ` +
		"(`wsbuild templates` lists their legs)"
	if err == nil || err.Error() != want {
		t.Errorf("Check(pytorch) = %v\nwant %s", err, want)
	}
	if _, err := c.Starter("python-tensorflw", Leg{}); err == nil || !strings.Contains(err.Error(), `(did you mean "python-tensorflow"?)`) {
		t.Errorf("Starter of a typo: %v", err)
	}
}

// TestStarterEveryLeg writes every template in every leg and checks that
// it validates and plans as written, holds exactly the template's chain,
// and that no two legs of an image share a tag.
func TestStarterEveryLeg(t *testing.T) {
	c := stock(t)
	legs, err := Legs()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range c.Names() {
		chain, _ := c.chain(name)
		var wantNames []string
		for _, img := range chain {
			wantNames = append(wantNames, img.name)
		}
		tags := map[string]string{}
		for _, leg := range legs {
			data, err := c.Starter(name, leg)
			if err != nil {
				t.Fatalf("%s %s %s: %v", name, leg.OS, leg.Name(), err)
			}
			fam, err := spec.Parse("wsbuild.yaml", data)
			if err != nil {
				t.Fatalf("%s %s %s: %v\n%s", name, leg.OS, leg.Name(), err, data)
			}
			p, err := plan.New(fam)
			if err != nil {
				t.Fatalf("%s %s %s: plan: %v", name, leg.OS, leg.Name(), err)
			}
			if leg.OS == "debian12" {
				// templates/offline.sets serves every Debian starter,
				// whichever of the catalogue's images it holds.
				offline, err := spec.ReadOverrides("offline.sets", templates.OfflineSets)
				if err != nil {
					t.Fatal(err)
				}
				ofam, err := spec.Parse("wsbuild.yaml", data, spec.WithOverrideList(offline))
				if err == nil {
					_, err = plan.New(ofam)
				}
				if err != nil {
					t.Errorf("%s %s %s with offline.sets: %v", name, leg.OS, leg.Name(), err)
				}
			}
			if !slices.Equal(fam.Names, wantNames) {
				t.Errorf("%s: images %v, want %v", name, fam.Names, wantNames)
			}
			root := fam.Images[wantNames[0]]
			if root.Base != leg.RootBase {
				t.Errorf("%s %s: base %q, want %q", name, leg.Name(), root.Base, leg.RootBase)
			}
			cuda, _ := root.Features["cuda"].(*feature.Cuda)
			switch {
			case leg.Cuda == "" && cuda != nil, leg.Cuda != "" && (cuda == nil || cuda.Version != leg.Cuda):
				t.Errorf("%s %s: cuda %+v, want %q", name, leg.Name(), cuda, leg.Cuda)
			}
			if len(fam.Push) != 1 || fam.Push[0] != (spec.PushTarget{Registry: "127.0.0.1:5000", Namespace: "wsbuild", Insecure: true}) {
				t.Errorf("%s %s: push %+v", name, leg.Name(), fam.Push)
			}
			tag := p.Nodes[len(p.Nodes)-1].Tag
			key := leg.OS + " " + leg.Name()
			if other, dup := tags[tag]; dup {
				t.Errorf("%s: legs %s and %s share tag %q", name, other, key, tag)
			}
			tags[tag] = key
			if !strings.HasPrefix(string(data), "# "+name+" and the images it builds on") {
				t.Errorf("%s %s: header:\n%s", name, key, data)
			}
		}
	}
}

func TestStarterTags(t *testing.T) {
	c := stock(t)
	for _, tc := range []struct{ os, cuda, tag string }{
		{"debian12", "false", "3.11"},
		{"debian12", "12.4", "3.11-cuda12.4"},
		{"ubuntu22.04", "false", "3.11-ubuntu22.04"},
		{"ubuntu22.04", "11.8", "3.11-ubuntu22.04-cuda11.8"},
	} {
		leg, err := FindLeg(tc.os, tc.cuda)
		if err != nil {
			t.Fatal(err)
		}
		data, err := c.Starter("python-pytorch", leg)
		if err != nil {
			t.Fatal(err)
		}
		fam, err := spec.Parse("wsbuild.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range fam.Names {
			if got := fam.Images[n].Tag; got != tc.tag {
				t.Errorf("%s %s: %s has tag %q, want %q", tc.os, tc.cuda, n, got, tc.tag)
			}
		}
	}
}

// TestStarterText pins the whole file for one template, comments included.
func TestStarterText(t *testing.T) {
	leg, err := FindLeg("debian12", "12.4")
	if err != nil {
		t.Fatal(err)
	}
	data, err := stock(t).Starter("python", leg)
	if err != nil {
		t.Fatal(err)
	}
	want := "# python and the images it builds on, from wsbuild's stock catalogue.\n" +
		"# Leg: CUDA 12.4 on debian12, built on debian:bookworm.\n" +
		"# Written by: wsbuild init --template python --os debian12 --cuda 12.4\n" +
		"# `wsbuild templates` lists the other templates and legs.\n" +
		"#\n" + catalogueTail(t) +
		`images:
  python:
    base: debian:bookworm
    python: "3.11"
    cuda: "12.4"
    apt: [ca-certificates, curl, git, less, procps, vim-tiny]
    volumes: [datasets, persistent-home, persistent-shared-folder]
    env: {LANG: C.UTF-8}
    run: [python3]
    labels: {org.opencontainers.image.description: "Python workstation"}
    tag: "3.11-cuda12.4"
push:
  - registry: 127.0.0.1:5000
    namespace: wsbuild
    insecure: true
`
	if string(data) != want {
		t.Errorf("got:\n%s\nwant:\n%s", data, want)
	}
}

// catalogueTail is the catalogue's opening comment after its first paragraph.
func catalogueTail(t *testing.T) string {
	head, _, ok := strings.Cut(string(templates.Catalogue), "images:")
	_, tail, ok2 := strings.Cut(head, "\n#\n")
	if !ok || !ok2 {
		t.Fatal("the catalogue no longer opens with two comment paragraphs")
	}
	return tail
}

func TestStarterAddsCudaAndTag(t *testing.T) {
	c, err := Parse("c.yaml", []byte("images:\n  a:\n    base: debian:12\n    os: debian12\n  b:\n    from: a\n"))
	if err != nil {
		t.Fatal(err)
	}
	leg, _ := FindLeg("ubuntu22.04", "false")
	data, err := c.Starter("b", leg)
	if err != nil {
		t.Fatal(err)
	}
	want := "images:\n  a:\n    base: ubuntu:22.04\n    cuda: false\n    tag: \"latest-ubuntu22.04\"\n" +
		"  b:\n    from: a\n    tag: \"latest-ubuntu22.04\"\n"
	if !strings.HasSuffix(string(data), want) {
		t.Errorf("got:\n%s\nwant it to end in:\n%s", data, want)
	}
}
