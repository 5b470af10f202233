package frontend

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/spec"
)

func TestReadBuildArgs(t *testing.T) {
	o, err := readBuildArgs(map[string]string{
		"pytorch.apt": "[git]", "python": "3.12", "SOURCE_DATE_EPOCH": "1700000000",
		"BUILDKIT_SYNTAX": "x", "HTTP_PROXY": "http://proxy",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []spec.Override{
		{Value: "matrix.python=3.12", Pos: spec.Position{File: "build-arg:python"}},
		{Value: "pytorch.apt=[git]", Pos: spec.Position{File: "build-arg:pytorch.apt"}},
	}
	if !reflect.DeepEqual(o.sets, want) {
		t.Errorf("sets %+v, want %+v", o.sets, want)
	}
	_, err = spec.Parse("wsbuild.yaml", []byte("images:\n  a:\n    base: debian:bookworm\n"), spec.WithOverrideList(want[1:]))
	if err == nil || !strings.HasPrefix(err.Error(), "build-arg:pytorch.apt: images.pytorch: image \"pytorch\" does not exist") {
		t.Errorf("an override's error does not name its build arg: %v", err)
	}
	if o.epoch == nil || o.epoch.Unix() != 1700000000 {
		t.Errorf("epoch %v", o.epoch)
	}
	if _, err := readBuildArgs(map[string]string{"SOURCE_DATE_EPOCH": "soon"}); err == nil {
		t.Error("a bad SOURCE_DATE_EPOCH was taken")
	}
}

const family = `matrix: {python: ["3.11", "3.12"]}
images:
  python:
    base: debian:bookworm
  desk:
    from: python
    desktop: true
  jup:
    from: python
`

func TestPickTarget(t *testing.T) {
	fam, err := spec.Parse("wsbuild.yaml", []byte(family))
	if err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{
		"":                     `wsbuild.yaml: the spec builds 4 images no other image builds on (desk:latest-py3.11, desk:latest-py3.12, jup:latest-py3.11, jup:latest-py3.12): pick one`,
		"desk":                 `wsbuild.yaml: target "desk" has 2 matrix variants (desk:latest-py3.11, desk:latest-py3.12): pick one as the target NAME:TAG`,
		"desk:latest-py3.12":   "=desk:latest-py3.12",
		"nope":                 `wsbuild.yaml: target "nope" is not an image of the spec; its images: python:latest-py3.11`,
		"python:latest-py3.11": "=python:latest-py3.11",
	} {
		got, err := pickTarget(fam, target)
		if name, ok := strings.CutPrefix(want, "="); ok {
			if err != nil || got != name {
				t.Errorf("pickTarget(%q) = %q, %v; want %q", target, got, err, name)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("pickTarget(%q) error %v, want it to start %q", target, err, want)
		}
	}
	one, err := spec.Parse("wsbuild.yaml", []byte(family), spec.WithOverrides([]string{"matrix.python=3.12"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pickTarget(one, ""); err == nil {
		t.Error("two leaves gave a default target")
	}
	if got, err := pickTarget(one, "desk"); err != nil || got != "desk:latest-py3.12" {
		t.Errorf("a build arg fixing the axis leaves one variant: %q, %v", got, err)
	}
}

func TestSpecLines(t *testing.T) {
	_, err := spec.Parse("wsbuild.yaml", []byte("images:\n  a:\n    base: debian:bookworm\n    sshd: {prot: 1}\n    jupyter: {lab: 3}\n"))
	if got := specLines(err, "wsbuild.yaml"); !reflect.DeepEqual(got, []int{4, 5}) {
		t.Errorf("spec errors at lines %v, want [4 5] (%v)", got, err)
	}
	if got := specLines(errors.New("wsbuild.yaml:7: images.b.python: nope"), "wsbuild.yaml"); !reflect.DeepEqual(got, []int{7}) {
		t.Errorf("a planner's error at %v, want [7]", got)
	}
	if got := specLines(errors.New("other.sets:7: nope"), "wsbuild.yaml"); got != nil {
		t.Errorf("another file's line %v", got)
	}
}
