package spec

import (
	"reflect"
	"testing"
)

const overrideSpec = `images:
  python:
    base: debian:bookworm
    apt: [git]
    tag: "1.0"
  pytorch:
    from: python
    user: {name: user, uid: 1000}
`

func TestOverrides(t *testing.T) {
	sets := []string{
		"python.tag=1.2",
		"pytorch.env.FOO=bar",
		"pytorch.user.uid=1001",
		"python.apt=[git, curl]",
		"python.user.name=alice",
		"python.ports=[8888]",
		"pytorch.labels.v=",
	}
	fam, err := Parse("wsbuild.yaml", []byte(overrideSpec), WithOverrides(sets))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*Image{
		"python": {
			Name:       "python",
			Repository: "python",
			Base:       "debian:bookworm",
			Apt:        []string{"git", "curl"},
			Tag:        "1.2",
			User:       &User{Name: "alice"},
			Ports:      []string{"8888/tcp"},
		},
		"pytorch": {
			Name:       "pytorch",
			Repository: "pytorch",
			From:       "python",
			User:       &User{Name: "user", UID: 1001},
			Env:        map[string]string{"FOO": "bar"},
			Labels:     map[string]string{"v": ""},
		},
	}
	if !reflect.DeepEqual(fam.Images, want) {
		t.Errorf("images:\n got %+v %+v\nwant %+v %+v", fam.Images["python"], fam.Images["pytorch"], want["python"], want["pytorch"])
	}
	wantPos := map[string]Position{
		"images.python.tag":         {File: OverrideFile, Line: 1},
		"images.pytorch.env":        {File: OverrideFile, Line: 2},
		"images.pytorch.env.FOO":    {File: OverrideFile, Line: 2},
		"images.pytorch.user":       {File: "wsbuild.yaml", Line: 8},
		"images.pytorch.user.name":  {File: "wsbuild.yaml", Line: 8},
		"images.pytorch.user.uid":   {File: OverrideFile, Line: 3},
		"images.python.apt.1":       {File: OverrideFile, Line: 4},
		"images.python.base":        {File: "wsbuild.yaml", Line: 3},
		"images.python.user.name":   {File: OverrideFile, Line: 5},
		"images.pytorch.labels.v":   {File: OverrideFile, Line: 7},
		"images.python.ports.0":     {File: OverrideFile, Line: 6},
		"images.pytorch.from":       {File: "wsbuild.yaml", Line: 7},
		"images.pytorch.labels":     {File: OverrideFile, Line: 7},
		"images.python.user":        {File: OverrideFile, Line: 5},
		"images.python.ports":       {File: OverrideFile, Line: 6},
		"images.python.apt":         {File: OverrideFile, Line: 4},
		"images.pytorch.env.FOO.xx": {File: OverrideFile, Line: 2}, // through At's fallback
	}
	for p, w := range wantPos {
		if got := fam.At(p); got != w {
			t.Errorf("At(%q) = %v, want %v", p, got, w)
		}
	}
}

func TestOverrideIntoEmptyImageAndAlias(t *testing.T) {
	spec := `images:
  a:
    base: debian
    user: &u {name: user, uid: 1000}
  b:
    from: a
    user: *u
  c:
`
	fam, err := Parse("wsbuild.yaml", []byte(spec), WithOverrides([]string{"b.user.uid=2000", "c.from=a"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := fam.Images["a"].User.UID; got != 1000 {
		t.Errorf("a's uid = %d, want 1000: the override changed the anchored original", got)
	}
	if got := fam.Images["b"].User; !reflect.DeepEqual(got, &User{Name: "user", UID: 2000}) {
		t.Errorf("b's user = %+v, want uid 2000", got)
	}
	if got := fam.Images["c"].From; got != "a" {
		t.Errorf("c's from = %q, want a", got)
	}
}

func TestOverrideErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{name: "unknown image", yaml: overrideSpec, sets: []string{"pyton.tag=1"},
			want: []string{`--set:1: images.pyton: image "pyton" does not exist (did you mean "python"?); known images: python, pytorch`}},
		{name: "no equals", yaml: overrideSpec, sets: []string{"python.tag=1", "python.tag"},
			want: []string{`--set:2: images.python.tag: expected image.field=value, such as python.tag=1.2; "python.tag" has no "="`}},
		{name: "no field", yaml: overrideSpec, sets: []string{"python=x"},
			want: []string{`--set:1: images.python: expected image.field=value, such as python.tag=1.2, got "python=x"`}},
		{name: "bad flow value", yaml: overrideSpec, sets: []string{"python.apt=[git"},
			want: []string{`--set:1: images.python.apt: invalid value "[git": did not find expected ',' or ']'`}},
		{name: "wrong type", yaml: overrideSpec, sets: []string{"python.user.uid=abc"},
			want: []string{"--set:1: images.python.user.uid: expected an integer, got a string"}},
		{name: "unknown field", yaml: overrideSpec, sets: []string{"python.tag=2", "python.pyton=3.12"},
			want: []string{`--set:2: images.python.pyton: unknown field "pyton" (did you mean "python"?)`}},
		{name: "bad list item", yaml: overrideSpec, sets: []string{"python.ports=[8888, 0]"},
			want: []string{`--set:1: images.python.ports.1: invalid port "0": must be 1-65535`}},
		{name: "bad tag replaces file value", yaml: overrideSpec, sets: []string{"python.tag=-x"},
			want: []string{`--set:1: images.python.tag: invalid tag "-x"...`}},
		{name: "not a mapping", yaml: overrideSpec, sets: []string{"python.tag.x=1"},
			want: []string{`--set:1: images.python.tag: cannot set "x" in it: it is a string, not a mapping`}},
		{name: "both base and from through override", yaml: overrideSpec, sets: []string{"pytorch.base=debian"},
			want: []string{"wsbuild.yaml:6: images.pytorch: sets both base and from; use base for an external image or from for an image of this family"}},
		{name: "cycle through override", yaml: "images:\n  c:\n    base: debian\n  a:\n    from: c\n  b:\n    from: a\n", sets: []string{"a.from=b"},
			want: []string{"--set:1: images.a.from: cycle: a -> b (--set:1), b -> a (wsbuild.yaml:7)"}},
		{name: "file errors before override errors", yaml: overrideSpec + "    tag: -y\n", sets: []string{"python.tag=-x"},
			want: []string{
				`wsbuild.yaml:9: images.pytorch.tag: invalid tag "-y"...`,
				`--set:1: images.python.tag: invalid tag "-x"...`,
			}},
		{name: "no images at all", yaml: "push: []\n", sets: []string{"python.tag=1"},
			want: []string{
				"wsbuild.yaml:1: images: missing: a spec declares its images under images:",
				`--set:1: images.python: image "python" does not exist; the spec declares no images`,
			}},
	})
}
