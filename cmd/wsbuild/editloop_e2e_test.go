package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// editSpec is a parent and a leaf, each with an apt step (the cost a leaf
// edit must not pay again) and the leaf with a step the test edits.
const editSpec = `images:
  parent:
    base: debian:bookworm
    apt: [less]
    tag: "1"
  leaf:
    from: parent
    apt: [tree]
    steps: [{name: edit, run: "echo %s > /tmp/edit"}]
    tag: "1"
push:
  - {registry: %s, namespace: edit, insecure: true}
`

// TestEditLoop edits the leaf's step after a build that built its parent,
// after a parent change, and a second time: each time the parent is skipped
// and only the edited step runs (and the leaf's checks); every other step
// of the leaf comes from the builder's cache, and the leaf stands on the
// parent its tags hold.
func TestEditLoop(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	dir := t.TempDir()
	useRig(t, r)
	specPath := filepath.Join(dir, "wsbuild.yaml")
	edit := func(word string) { write(t, specPath, fmt.Sprintf(editSpec, word, r.Registry)) }
	ref := func(img string) string { return r.Registry + "/edit/" + img + ":1" }
	build := func(args ...string) (map[string]string, []string) {
		t.Helper()
		meta := filepath.Join(t.TempDir(), "meta.json")
		code, stderr := wsbuild(t, append([]string{"build", "-f", specPath, "--push", "--progress", "rawjson", "--metadata-file", meta}, args...)...)
		if code != 0 {
			t.Fatalf("build %v exited %d:\n%s", args, code, lastLines(stderr, 30))
		}
		actions := map[string]string{}
		for name, m := range readMetadata(t, meta) {
			actions[name] = fmt.Sprint(m["action"])
		}
		var ran []string
		for _, s := range uncachedSteps(t, stderr) {
			if isBuildStep(s) {
				ran = append(ran, s)
			}
		}
		slices.Sort(ran)
		return actions, ran
	}

	edit("one")
	build()
	for _, tc := range []struct {
		name, word string
		args       []string
		parent     string
		wantRan    []string
	}{
		{"first leaf edit after the parent was built", "two", nil, "skip", []string{"[leaf] step: edit"}},
		{"parent changed", "two", []string{"--set", "parent.env.REV=2"}, "build", nil},
		{"leaf edit after the parent changed", "three", []string{"--set", "parent.env.REV=2"}, "skip", []string{"[leaf] step: edit"}},
		{"a second, different leaf edit", "four", []string{"--set", "parent.env.REV=2"}, "skip", []string{"[leaf] step: edit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edit(tc.word)
			actions, ran := build(tc.args...)
			if actions["parent"] != tc.parent || actions["leaf"] != "build" {
				t.Fatalf("actions %v, want parent=%s leaf=build", actions, tc.parent)
			}
			if tc.wantRan != nil && !slices.Equal(ran, tc.wantRan) {
				t.Errorf("steps that ran: %q, want only %q", ran, tc.wantRan)
			}
			assertBuiltOn(t, pull(t, ref("leaf")), pull(t, ref("parent")))
		})
	}

	// zstd is part of the input digest, so both images build again; the
	// layers are all zstd, the base's converted.
	t.Run("--compression zstd", func(t *testing.T) {
		actions, _ := build("--set", "parent.env.REV=2", "--compression", "zstd", "--compression-level", "3")
		if actions["parent"] != "build" || actions["leaf"] != "build" {
			t.Fatalf("actions %v, want both built", actions)
		}
		m, err := pull(t, ref("leaf")).Manifest()
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, l := range m.Layers {
			kinds = append(kinds, string(l.MediaType))
		}
		for _, k := range kinds {
			if !strings.HasSuffix(k, "+zstd") {
				t.Errorf("layer media types %v, want zstd", kinds)
				break
			}
		}
		assertBuiltOn(t, pull(t, ref("leaf")), pull(t, ref("parent")))
	})
}
