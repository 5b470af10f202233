package spec

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/feature"

	"github.com/wsbuild/wsbuild/templates"
)

func TestReadOverrides(t *testing.T) {
	data := "# a comment\n\npython.tag=1.2\r\n  pytorch.env.FOO=a b  \n   # indented comment\npython.apt=[git, curl] # trailing comment\n\n\npytorch.test=[\"python -V\"]"
	got, err := ReadOverrides("lab.sets", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Override{
		{Value: "python.tag=1.2", Pos: Position{File: "lab.sets", Line: 3}},
		{Value: "pytorch.env.FOO=a b", Pos: Position{File: "lab.sets", Line: 4}},
		{Value: "python.apt=[git, curl] # trailing comment", Pos: Position{File: "lab.sets", Line: 6}},
		{Value: `pytorch.test=["python -V"]`, Pos: Position{File: "lab.sets", Line: 9}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, empty := range []string{"", "\n\n", "# only a comment\n"} {
		if got, err := ReadOverrides("e.sets", []byte(empty)); err != nil || len(got) != 0 {
			t.Errorf("ReadOverrides(%q) = %v, %v; want nothing", empty, got, err)
		}
	}
}

func TestReadOverridesInvalidUTF8(t *testing.T) {
	_, err := ReadOverrides("bad.sets", []byte("python.tag=1\npython.env.A=\xff\n"))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T) is not an ErrorList", err, err)
	}
	if want := "bad.sets:2: not valid UTF-8"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestOverrideList(t *testing.T) {
	list, err := ReadOverrides("lab.sets", []byte("# lab\npython.tag=1.5\npytorch.env.FOO=file\npython.apt=[vim]\n"))
	if err != nil {
		t.Fatal(err)
	}
	// --set comes after the file whatever the order of the options.
	fam, err := Parse("wsbuild.yaml", []byte(overrideSpec),
		WithOverrides([]string{"python.tag=2.0"}), WithOverrideList(list))
	if err != nil {
		t.Fatal(err)
	}
	py, pt := fam.Images["python"], fam.Images["pytorch"]
	if py.Tag != "2.0" || !reflect.DeepEqual(py.Apt, []string{"vim"}) || pt.Env["FOO"] != "file" {
		t.Errorf("got tag %q, apt %v, env %v; want 2.0, [vim], FOO=file", py.Tag, py.Apt, pt.Env)
	}
	for p, w := range map[string]Position{
		"images.python.tag":      {File: OverrideFile, Line: 1},
		"images.python.apt":      {File: "lab.sets", Line: 4},
		"images.python.apt.0":    {File: "lab.sets", Line: 4},
		"images.pytorch.env.FOO": {File: "lab.sets", Line: 3},
		"images.python.base":     {File: "wsbuild.yaml", Line: 3},
	} {
		if got := fam.At(p); got != w {
			t.Errorf("At(%q) = %v, want %v", p, got, w)
		}
	}
}

func TestOverrideListErrors(t *testing.T) {
	a := []Override{
		{Value: "python.tag=-a", Pos: Position{File: "b.sets", Line: 7}},
		{Value: "python.desktop={session: gnome}", Pos: Position{File: "b.sets", Line: 2}},
		{Value: "pyton.tag=1", Pos: Position{File: "a.sets", Line: 5}},
		{Value: "python.apt", Pos: Position{File: "a.sets", Line: 1}},
	}
	_, err := Parse("wsbuild.yaml", []byte(overrideSpec+"    tag: -y\n"),
		WithOverrideList(a), WithOverrides([]string{"pytorch.cuda=12.4"}))
	want := []string{
		`wsbuild.yaml:9: images.pytorch.tag: invalid tag "-y"...`,
		`b.sets:2: images.python.desktop.session: "gnome" is not one of lxde, xfce`,
		`b.sets:7: images.python.tag: invalid tag "-a"...`,
		`a.sets:1: images.python.apt: expected image.field=value, such as python.tag=1.2; "python.apt" has no "="`,
		`a.sets:5: images.pyton: image "pyton" does not exist (did you mean "python"?); known images: python, pytorch`,
		"--set:1: images.pytorch.cuda: cuda is set where the chain starts (the image with base): images.pytorch inherits it from its parent",
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T) is not an ErrorList", err, err)
	}
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		got := list[i].Error()
		if prefix, ok := strings.CutSuffix(w, "..."); got != w && !(ok && strings.HasPrefix(got, prefix)) {
			t.Errorf("error %d:\n got %s\nwant %s", i, got, w)
		}
	}
}

func TestCatalogue(t *testing.T) {
	fam, err := Parse(templates.CatalogueFile, templates.Catalogue)
	if err != nil {
		t.Fatalf("the catalogue does not parse:\n%v", err)
	}
	py := fam.Images["python"]
	if got, want := py.Features["python"], (&feature.Python{Version: "3.11"}); !reflect.DeepEqual(got, want) || py.Features["cuda"] != nil {
		t.Errorf("python: python %+v, cuda %+v; want 3.11 and the CPU leg", got, py.Features["cuda"])
	}
	if got, want := fam.Images["python-pytorch-desktop-vnc"].Features["desktop"], (&feature.Desktop{VNC: ptr(true), Session: "lxde", Browser: "firefox"}); !reflect.DeepEqual(got, want) {
		t.Errorf("desktop = %+v, want %+v", got, want)
	}
	if got, _ := fam.Images["python-pytorch-jupyter"].Features["jupyter"].(*feature.Jupyter); got == nil || got.Lab == nil || !*got.Lab {
		t.Errorf("jupyter = %+v, want lab: true", got)
	}

	list, err := ReadOverrides("templates/offline.sets", templates.OfflineSets)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("templates/offline.sets holds no overrides")
	}
	off, err := Parse(templates.CatalogueFile, templates.Catalogue, WithOverrideList(list))
	if err != nil {
		t.Fatalf("the catalogue with templates/offline.sets does not parse:\n%v", err)
	}
	if got, _ := off.Images["python-pytorch-jupyter"].Features["jupyter"].(*feature.Jupyter); got == nil || got.Lab == nil || *got.Lab || got.Via != "distro" {
		t.Errorf("offline jupyter = %+v, want lab: false, via: distro", got)
	}
	if got := off.Images["python-pytorch"].Pip; got == nil || len(got) != 0 {
		t.Errorf("offline python-pytorch pip = %#v, want an empty list", got)
	}
}

// TestOptionalOverrides applies an override file to a spec lacking some of
// its images: "?" lines for absent images are skipped, plain ones are not.
func TestOptionalOverrides(t *testing.T) {
	list, err := ReadOverrides("o.sets", []byte("?python.tag=2.0\n? desktop.sshd=true\n"))
	if err != nil {
		t.Fatal(err)
	}
	fam, err := Parse("wsbuild.yaml", []byte("images:\n  python:\n    base: debian:bookworm\n"), WithOverrideList(list))
	if err != nil {
		t.Fatalf("optional override of an absent image: %v", err)
	}
	if got := fam.Images["python"].Tag; got != "2.0" {
		t.Errorf("the optional override of a present image was not applied: tag %q", got)
	}
	list, err = ReadOverrides("o.sets", []byte("desktop.sshd=true\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("wsbuild.yaml", []byte("images:\n  python:\n    base: debian:bookworm\n"), WithOverrideList(list))
	want := `o.sets:1: images.desktop: image "desktop" does not exist; known images: python; start the override with "?" to skip it where the image is absent`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}
