package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// releaseSpec is a matrix family: two editions, and on top of each a tools
// image in two levels less one combination. The tools test fails in one
// variant only (lab-a) until --set replaces it.
const releaseSpec = `matrix:
  edition: [std, lab]
images:
  base:
    base: debian:bookworm
    env: {EDITION: "{edition}"}
    tag: "1.0"
  tools:
    from: base
    matrix:
      level: [a, b]
      exclude: [{edition: lab, level: b}]
    env: {LEVEL: "{level}"}
    test: ["test {edition}-{level} != lab-a"]
    tag: "1.0"
push:
  - {registry: %s, namespace: release, insecure: true}
`

var releaseVariants = []string{"base:1.0-std", "base:1.0-lab", "tools:1.0-std-a", "tools:1.0-std-b", "tools:1.0-lab-a"}

// TestReleaseScript drives .ci/release, the example release job, over a
// matrix: one failing variant moves no tag of the run and is named; a good
// run pushes every variant and reports its refs and digests; fixing an axis
// with --set narrows the release, and an unchanged release builds nothing.
func TestReleaseScript(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "wsbuild.yaml")
	write(t, spec, fmt.Sprintf(releaseSpec, r.Registry))
	bin := filepath.Join(t.TempDir(), "wsbuild")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building wsbuild: %v\n%s", err, out)
	}
	script, err := filepath.Abs("../../.ci/release")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "release.json")
	release := func(args ...string) (string, string, error) {
		cmd := exec.Command("bash", append([]string{script, spec}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "WSBUILD="+bin, "OUT="+out, buildkitd.EnvBinary+"="+r.Buildkitd,
			buildkitd.EnvConfig+"="+r.BuildkitdConfig, "WSBUILD_CACHE_DIR="+filepath.Join(dir, "cache"), buildkitd.EnvHost+"=")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	ref := func(variant string) string {
		repo, tag, _ := strings.Cut(variant, ":")
		return r.Registry + "/release/" + repo + ":" + tag
	}
	exists := func(variant string) bool {
		tag, err := name.NewTag(ref(variant), name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		_, err = remote.Head(tag)
		return err == nil
	}

	t.Run("one failing variant moves no tag and is named", func(t *testing.T) {
		_, stderr, err := release()
		if err == nil {
			t.Fatal("release with a failing variant succeeded")
		}
		for _, want := range []string{`building image "tools:1.0-lab-a": failed checks: "test 1: test lab-a != lab-a"`, "no tag of this release moved"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, lastLines(stderr, 15))
			}
		}
		for _, v := range releaseVariants {
			if exists(v) {
				t.Errorf("%s was tagged although the release failed", ref(v))
			}
		}
		for _, repo := range []string{"base", "tools"} {
			if tags := repoTags(t, ref(repo+":x")); len(tags) > 0 {
				t.Errorf("release/%s has tags %q although the release failed", repo, tags)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "wsbuild.lock")); err != nil {
			t.Errorf("the release did not pin its bases: %v", err)
		}
	})

	t.Run("a good release pushes every variant and reports it", func(t *testing.T) {
		stdout, stderr, err := release("--set", `tools.test=["true"]`)
		if err != nil {
			t.Fatalf("release: %v\n%s", err, lastLines(stderr, 20))
		}
		m := readMetadata(t, out)
		for _, v := range releaseVariants {
			img, ok := m[v]
			if !ok {
				t.Errorf("%s missing from %s", v, out)
				continue
			}
			got := headDigest(t, ref(v)).String()
			if img["action"] != "build" || img["digest"] != got || fmt.Sprint(img["refs"]) != "["+ref(v)+"]" {
				t.Errorf("%s: metadata %v, tag holds %s", v, img, got)
			}
			if !strings.Contains(stdout, v+"\tbuild\t"+got) {
				t.Errorf("summary lacks %s:\n%s", v, stdout)
			}
		}
	})

	// Every variant but one builds, passes its checks and is pushed by
	// digest; the registry must still hold the good release under every tag.
	t.Run("a failing release moves no tag of the one before", func(t *testing.T) {
		before := map[string]string{}
		for _, v := range releaseVariants {
			before[v] = tagDigest(t, ref(v)).String()
		}
		listed := map[string][]string{"base": repoTags(t, ref("base:x")), "tools": repoTags(t, ref("tools:x"))}
		_, stderr, err := release("--set", "base.env.REV=2")
		if err == nil {
			t.Fatal("release with a failing variant succeeded")
		}
		if !strings.Contains(stderr, `building image "tools:1.0-lab-a"`) {
			t.Errorf("the failing variant is not named:\n%s", lastLines(stderr, 15))
		}
		for _, v := range releaseVariants {
			if got := tagDigest(t, ref(v)).String(); got != before[v] {
				t.Errorf("%s moved from %s to %s although the release failed", ref(v), before[v], got)
			}
		}
		for repo, tags := range listed {
			if now := repoTags(t, ref(repo+":x")); !slices.Equal(now, tags) {
				t.Errorf("release/%s tags were %q, now %q", repo, tags, now)
			}
		}
	})

	t.Run("fixing an axis narrows the release; unchanged variants are skipped", func(t *testing.T) {
		stdout, stderr, err := release("--set", `tools.test=["true"]`, "--set", "matrix.edition=std")
		if err != nil {
			t.Fatalf("release: %v\n%s", err, lastLines(stderr, 20))
		}
		m := readMetadata(t, out)
		if len(m) != 3 {
			t.Errorf("fixed edition=std gave %d variants, want 3: %v", len(m), m)
		}
		for _, v := range []string{"base:1.0-std", "tools:1.0-std-a", "tools:1.0-std-b"} {
			if m[v]["action"] != "skip" || !strings.Contains(stdout, v+"\tskip\t") {
				t.Errorf("%s: %v\n%s", v, m[v], stdout)
			}
		}
	})
}

// repoTags lists the tags of the repository of ref, sorted; none when the
// registry does not know the repository.
func repoTags(t *testing.T, ref string) []string {
	t.Helper()
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(tag.Context())
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return nil
	}
	if err != nil {
		t.Fatalf("listing the tags of %s: %v", tag.Context(), err)
	}
	slices.Sort(tags)
	return tags
}
