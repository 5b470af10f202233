package spec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/wsbuild/wsbuild/internal/feature"
)

const specDir = "../../testdata/spec"

func TestLoadFull(t *testing.T) {
	path := filepath.Join(specDir, "full.yaml")
	fam, err := Load(path, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := map[string]*Image{
		"python": {
			Name:             "python",
			Repository:       "python",
			Base:             "debian:bookworm",
			Features:         map[string]feature.Settings{"python": &feature.Python{Version: "3.11"}},
			Apt:              []string{"git"},
			Pip:              []string{"numpy"},
			Requirements:     "requirements.txt",
			RequirementsData: []byte("numpy==2.1.0\npandas\n"),
			User:             &User{Name: "user", UID: 1000, GID: 1000},
			Volumes:          []string{"datasets", "persistent-home", "persistent-shared-folder"},
			Env:              map[string]string{"A": "b"},
			Workdir:          "/home/user",
			Ports:            []string{"8888/tcp", "5900/tcp", "53/udp"},
			Run:              []string{"jupyter", "lab"},
			Copy:             []Copy{{Src: "app/", Dst: "/home/user/app"}},
			Labels:           map[string]string{"x": "y"},
			Tag:              "1.0",
		},
		"pytorch": {Name: "pytorch", Repository: "pytorch", From: "python", Pip: []string{"torch"}},
		"desktop": {Name: "desktop", Repository: "desktop", From: "pytorch", Run: []string{"/bin/sh", "-c", "python app.py"}},
	}
	for name, w := range want {
		if got := fam.Images[name]; !reflect.DeepEqual(got, w) {
			t.Errorf("image %s:\n got %+v\nwant %+v", name, got, w)
		}
	}
	if len(fam.Images) != len(want) {
		t.Errorf("got %d images, want %d", len(fam.Images), len(want))
	}
	if want := []string{"python", "pytorch", "desktop"}; !reflect.DeepEqual(fam.Names, want) {
		t.Errorf("Names = %v, want %v", fam.Names, want)
	}
	wantPush := []PushTarget{
		{Registry: "127.0.0.1:5000", Namespace: "lab", Insecure: true},
		{Registry: "ghcr.io", Namespace: "wsbuild/images"},
	}
	if !reflect.DeepEqual(fam.Push, wantPush) {
		t.Errorf("Push = %+v, want %+v", fam.Push, wantPush)
	}
	if fam.File != path {
		t.Errorf("File = %q, want %q", fam.File, path)
	}
	wantPos := map[string]int{
		"images":                 2,
		"images.python":          3,
		"images.python.apt":      6,
		"images.python.apt.0":    6,
		"images.python.user.uid": 9,
		"images.python.env.A":    11,
		"images.python.ports.2":  13,
		"images.python.copy.0":   15,
		"images.pytorch":         18,
		"images.pytorch.from":    19,
		"images.desktop.run":     23,
		"push":                   24,
		"push.0.registry":        25,
		"push.1":                 28,
		"push.1.namespace":       29,
	}
	for p, line := range wantPos {
		if got := fam.Pos[p]; got != (Position{File: path, Line: line}) {
			t.Errorf("Pos[%q] = %v, want %s:%d", p, got, path, line)
		}
	}
	for p, pos := range fam.Pos {
		if pos.File != path || pos.Line <= 0 {
			t.Errorf("Pos[%q] = %v, want a line of %s", p, pos, path)
		}
	}
	if got, want := fam.At("images.pytorch.pip.7.nothing"), (Position{File: path, Line: 20}); got != want {
		t.Errorf("At falls back to %v, want %v", got, want)
	}
}

func TestLoadMinimal(t *testing.T) {
	path := filepath.Join(specDir, "minimal.yaml")
	fam, err := Load(path, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Family{
		File:   path,
		Images: map[string]*Image{"python": {Name: "python", Repository: "python", Base: "debian:bookworm"}},
		Names:  []string{"python"},
		Pos: map[string]Position{
			"images":             {File: path, Line: 1},
			"images.python":      {File: path, Line: 2},
			"images.python.base": {File: path, Line: 3},
		},
	}
	if !reflect.DeepEqual(fam, want) {
		t.Errorf("got %+v\nwant %+v", fam, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(specDir, "nope.yaml"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file = %v, want fs.ErrNotExist", err)
	}
}

func TestParseTwiceIsEqual(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(specDir, "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(specDir)
	sets := []string{"pytorch.env.FOO=bar", "python.apt=[git, curl]"}
	a, err := Parse("full.yaml", data, WithFS(fsys), WithOverrides(sets))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("full.yaml", data, WithFS(fsys), WithOverrides(sets))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two parses differ:\n%+v\n%+v", a, b)
	}
	if a.Images["pytorch"].Env["FOO"] != "bar" {
		t.Errorf("override not applied: %+v", a.Images["pytorch"])
	}
}

func TestErrorTypes(t *testing.T) {
	_, err := Parse("wsbuild.yaml", []byte("images:\n  x:\n    base: debian\n    apt: 3\n    tag: -x\n"))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("errors.As(ErrorList) on %v: got %v", err, list)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("errors.As(*Error) failed on %v", err)
	}
	want := &Error{Pos: Position{File: "wsbuild.yaml", Line: 4}, Path: "images.x.apt", Msg: "expected a list of strings, got a number"}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("first *Error = %+v, want %+v", e, want)
	}
	wantText := "wsbuild.yaml:4: images.x.apt: expected a list of strings, got a number\n" +
		`wsbuild.yaml:5: images.x.tag: invalid tag "-x": use up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`
	if err.Error() != wantText {
		t.Errorf("Error() =\n%s\nwant\n%s", err, wantText)
	}
}

func TestOptionErrors(t *testing.T) {
	if _, err := Parse("x.yaml", []byte("images: {x: {base: debian}}"), WithFS(nil)); err == nil {
		t.Error("WithFS(nil) gave no error")
	}
}

func TestRequirementsFromFS(t *testing.T) {
	fsys := fstest.MapFS{"sub/req.txt": {Data: []byte("torch\n")}}
	fam, err := Parse("x.yaml", []byte("images:\n  x:\n    base: debian\n    requirements: sub/req.txt\n"), WithFS(fsys))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(fam.Images["x"].RequirementsData); got != "torch\n" {
		t.Errorf("RequirementsData = %q, want %q", got, "torch\n")
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"base", "from", "python", "apt", "pip", "tag"}
	for in, want := range map[string]string{"pyton": "python", "bsae": "base", "frm": "from", "Tag": "tag", "zzzzzz": "", "ab": "", "bxyz": ""} {
		if got := closest(in, known); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}
