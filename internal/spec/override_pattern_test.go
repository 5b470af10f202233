package spec

import (
	"errors"
	"strings"
	"testing"
)

const patternSpec = `images:
  python:
    base: debian:bookworm
  python-pytorch:
    from: python
  python-jupyter:
    from: python
  desktop:
    from: python-pytorch
`

// TestOverridePatterns sets fields of several images at once with bake's
// patterns (path.Match), later overrides winning, each image getting its own
// copy of the value.
func TestOverridePatterns(t *testing.T) {
	tests := []struct {
		name string
		sets []string
		tags map[string]string            // image -> tag
		env  map[string]map[string]string // image -> env
	}{
		{"star", []string{"*.tag=1.2"},
			map[string]string{"python": "1.2", "python-pytorch": "1.2", "python-jupyter": "1.2", "desktop": "1.2"}, nil},
		{"prefix", []string{"python-*.env.DEBUG=1"}, nil,
			map[string]map[string]string{"python-pytorch": {"DEBUG": "1"}, "python-jupyter": {"DEBUG": "1"}}},
		{"question mark and class", []string{"python-[jq]??????.tag=3", "d?sktop.tag=4"},
			map[string]string{"python-jupyter": "3", "desktop": "4"}, nil},
		{"later name wins over pattern", []string{"*.tag=1.2", "python.tag=2.0"},
			map[string]string{"python": "2.0", "python-pytorch": "1.2", "python-jupyter": "1.2", "desktop": "1.2"}, nil},
		{"later pattern wins over name", []string{"python.tag=2.0", "*.tag=1.2"},
			map[string]string{"python": "1.2", "python-pytorch": "1.2", "python-jupyter": "1.2", "desktop": "1.2"}, nil},
		{"each image its own value", []string{"python*.env={A: a}", "python.env.B=b"}, nil,
			map[string]map[string]string{"python": {"A": "a", "B": "b"}, "python-pytorch": {"A": "a"}, "python-jupyter": {"A": "a"}}},
		{"optional pattern matching none", []string{"?nope-*.tag=1"}, nil, nil},
		{"optional pattern starting with ?", []string{"??ython.tag=5"}, map[string]string{"python": "5"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fam, err := Parse("wsbuild.yaml", []byte(patternSpec), WithOverrides(tt.sets))
			if err != nil {
				t.Fatal(err)
			}
			for name, img := range fam.Images {
				if img.Tag != tt.tags[name] {
					t.Errorf("%s: tag %q, want %q", name, img.Tag, tt.tags[name])
				}
				if len(img.Env) != len(tt.env[name]) {
					t.Errorf("%s: env %v, want %v", name, img.Env, tt.env[name])
				}
				for k, v := range tt.env[name] {
					if img.Env[k] != v {
						t.Errorf("%s: env %v, want %v", name, img.Env, tt.env[name])
					}
				}
			}
		})
	}
}

// TestOverridePatternPosition: a field a pattern set is written at its --set.
func TestOverridePatternPosition(t *testing.T) {
	fam, err := Parse("wsbuild.yaml", []byte(patternSpec), WithOverrides([]string{"python.tag=1", "*-jupyter.env.DEBUG=1"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fam.At("images.python-jupyter.env.DEBUG"), (Position{File: OverrideFile, Line: 2}); got != want {
		t.Errorf("At = %v, want %v", got, want)
	}
}

// TestOverridePatternErrors: a pattern matching no image, or not a valid
// pattern, is an error naming it and its --set; a pattern setting a field
// wrongly reports it for every image it matches.
func TestOverridePatternErrors(t *testing.T) {
	tests := []struct {
		name string
		sets []string
		want []string
	}{
		{"matches none", []string{"python.tag=1", "nope-*.tag=1"},
			[]string{`--set:2: images.nope-*: the pattern "nope-*" matches no image; known images: python, python-pytorch, python-jupyter, desktop; start the override with "?"`}},
		{"bad pattern", []string{"python-[.tag=1"},
			[]string{`--set:1: images.python-[: invalid image pattern "python-[": syntax error in pattern`}},
		{"bad field", []string{"python-*.pyton=3.11"},
			[]string{`--set:1: images.python-pytorch.pyton: unknown field "pyton"`, `--set:1: images.python-jupyter.pyton: unknown field "pyton"`}},
		{"bad value", []string{"*.apt=[git"}, []string{`--set:1: images.*.apt: invalid value "[git"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("wsbuild.yaml", []byte(patternSpec), WithOverrides(tt.sets))
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v, want an ErrorList", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nlacks %q", err, w)
				}
			}
			if len(list) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(list), len(tt.want), err)
			}
		})
	}
}
