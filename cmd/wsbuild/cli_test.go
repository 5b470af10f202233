package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

func writeSpec(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wsbuild.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// exitCase is a command line, the exit code it must end with and a part of
// what it must write to stderr.
type exitCase struct {
	name   string
	args   []string
	code   int
	stderr string
}

// offline points wsbuild at no buildkitd, so nothing a test runs can start
// one, and clears $SOURCE_DATE_EPOCH.
func offline(t *testing.T) {
	t.Helper()
	t.Setenv(buildkitd.EnvBinary, "/nonexistent/buildkitd")
	t.Setenv(buildkitd.EnvHost, "")
	t.Setenv("WSBUILD_CACHE_DIR", t.TempDir())
	t.Setenv(envSourceDateEpoch, "")
}

func runExitCases(t *testing.T, cases []exitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.stderr)
			}
		})
	}
}

// TestExitCodes covers the command lines that must fail before any daemon
// starts, and the ones that succeed offline.
func TestExitCodes(t *testing.T) {
	offline(t)
	good := writeSpec(t, "images:\n  python:\n    base: debian:bookworm\n    python: \"3.11\"\n")
	typo := writeSpec(t, "images:\n  python:\n    base: debian:bookworm\n    pyton: \"3.11\"\n")
	matrix := filepath.Join("..", "..", "testdata", "spec", "matrix.yaml")
	runExitCases(t, []exitCase{
		{"no command", nil, 2, ""},
		{"help", []string{"--help"}, 0, ""},
		{"unknown command", []string{"bild"}, 2, `unknown command "bild"`},
		{"valid spec", []string{"validate", "-f", good}, 0, ""},
		{"unknown field", []string{"validate", "-f", typo}, 2,
			typo + `:4: images.python.pyton: unknown field "pyton" (did you mean "python"?)`},
		{"missing spec", []string{"validate", "-f", filepath.Join(t.TempDir(), "none.yaml")}, 2, "none.yaml"},
		{"bad override", []string{"validate", "-f", good, "--set", "nope.tag=1"}, 2, "nope"},
		{"override pattern matching no image", []string{"validate", "-f", good, "--set", "*.tag=1", "--set", "nope-*.tag=1"}, 2,
			`--set:2: images.nope-*: the pattern "nope-*" matches no image`},
		{"unknown flag", []string{"build", "--pussh"}, 2, "unknown flag: --pussh"},
		{"bad progress", []string{"build", "-f", good, "--progress", "fancy"}, 2, `unknown progress mode "fancy"`},
		{"push without targets", []string{"build", "-f", good, "--push"}, 2, "no push: targets"},
		{"bad plan output", []string{"plan", "-f", good, "-o", "yaml"}, 2, `unknown output format "yaml"`},
		{"build of a bad spec", []string{"build", "-f", typo}, 2, "unknown field"},
		{"no registry", []string{"build", "-f", good}, 1, `resolving base image "debian:bookworm"`},
		{"valid matrix", []string{"validate", "-f", matrix}, 0, ""},
		{"matrix axis fixed", []string{"validate", "-f", matrix, "--set", "matrix.python=3.11", "--set", "pytorch.matrix.torch=2.3"}, 0, ""},
		{"matrix axis emptied", []string{"validate", "-f", matrix, "--set", "matrix.cuda=[]"}, 2, "--set:1: matrix.cuda: no values: list at least one"},
		{"unknown image with dependents", []string{"build", "-f", matrix, "--with-dependents", "pytorh"}, 2,
			`no image "pytorh" in ` + matrix + ` (did you mean "pytorch"?)`},
		{"unknown variant in plan", []string{"plan", "-f", matrix, "--with-dependents", "python:1.0-py3.11-cuda"}, 2,
			`(did you mean "python:1.0-py3.11-cuda12.4"?)`},
	})
}

// TestPlanEntriesMatrix checks what `wsbuild plan -o json` prints of a
// variant: its repository and axes beside the existing fields.
func TestPlanEntriesMatrix(t *testing.T) {
	f, err := spec.Load(filepath.Join("..", "..", "testdata", "spec", "matrix.yaml"), []string{"matrix.python=3.12"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f, plan.WithSelection("pytorch-jupyter:2.3-py3.12-cpu"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := planEntries(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(entries[2])
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name": "pytorch-jupyter:2.3-py3.12-cpu", "repository": "pytorch-jupyter", "parent": "pytorch:2.3-py3.12-cpu",
		"axes": map[string]any{"python": "3.12", "cuda": "false", "torch": "2.3"},
		"refs": []any{"127.0.0.1:5000/wsbuild/pytorch-jupyter:2.3-py3.12-cpu"},
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
}
