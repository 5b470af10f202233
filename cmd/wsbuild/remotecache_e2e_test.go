package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// remoteCacheSpec is editSpec's parent and leaf under a cache: line
// (cache, "" for none), the leaf's step echoing word, pushed to namespace
// rcache of registry.
func remoteCacheSpec(cache, word, registry string) string {
	return cache + strings.Replace(fmt.Sprintf(editSpec, word, registry), "namespace: edit", "namespace: rcache", 1)
}

// cacheBuild runs a build with rawjson progress and returns how long it
// took and the steps of wsbuild's own that ran (not from a cache), checks
// left out, sorted.
func cacheBuild(t *testing.T, wantCode int, args ...string) (time.Duration, []string, string) {
	t.Helper()
	start := time.Now()
	code, stderr := wsbuild(t, append([]string{"build", "--progress", "rawjson"}, args...)...)
	took := time.Since(start)
	if code != wantCode {
		t.Fatalf("build %v exited %d, want %d:\n%s", args, code, wantCode, lastLines(stderr, 30))
	}
	var ran []string
	for _, s := range uncachedSteps(t, stderr) {
		if isBuildStep(s) {
			ran = append(ran, s)
		}
	}
	slices.Sort(ran)
	return took, ran, stderr
}

// freshBuilder throws the private buildkitd's state and the content store
// away, as a new CI runner starts.
func freshBuilder(t *testing.T) { t.Setenv("WSBUILD_CACHE_DIR", t.TempDir()) }

// TestRegistryCacheSurvivesTheRunner builds a parent and a leaf with
// cache: registry, then, on a fresh builder, edits the leaf: only the
// edited step runs, every other step comes from the registry cache. The
// same edit on a fresh builder without the cache is timed beside it.
func TestRegistryCacheSurvivesTheRunner(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	useRig(t, r)
	specPath := filepath.Join(t.TempDir(), "wsbuild.yaml")
	spec := func(cache, word string) {
		write(t, specPath, remoteCacheSpec(cache, word, r.Registry))
	}
	ref := func(img string) string { return r.Registry + "/rcache/" + img + ":1" }

	spec("cache: registry\n", "one")
	cold, _, _ := cacheBuild(t, 0, "-f", specPath, "--push")
	for _, img := range []string{"parent", "leaf"} {
		if !tagExists(t, ref(img)+"-buildcache") {
			t.Fatalf("%s-buildcache was not exported", ref(img))
		}
	}

	freshBuilder(t)
	spec("cache: registry\n", "two")
	warm, ran, _ := cacheBuild(t, 0, "-f", specPath, "--push")
	if want := []string{"[leaf] step: edit"}; !slices.Equal(ran, want) {
		t.Errorf("on a fresh builder with the registry cache, steps that ran: %q, want only %q", ran, want)
	}
	assertBuiltOn(t, pull(t, ref("leaf")), pull(t, ref("parent")))

	freshBuilder(t)
	spec("", "three")
	without, ranWithout, _ := cacheBuild(t, 0, "-f", specPath, "--push")
	if !slices.Contains(ranWithout, "[leaf] step: edit") || len(ranWithout) < 2 {
		t.Errorf("without the cache, steps that ran: %q, want the leaf's unchanged steps too", ranWithout)
	}
	t.Logf("cold build of both images: %v; one leaf edit on a fresh builder: %v with the registry cache, %v without (%d steps ran)",
		cold.Round(10*time.Millisecond), warm.Round(10*time.Millisecond), without.Round(10*time.Millisecond), len(ranWithout))
}

// TestLocalCacheAndFailedChecks: type=local cache brings every unchanged
// step back on a fresh builder; an image whose checks fail exports no
// cache, to a folder or a registry, while its parent, which passed, does.
func TestLocalCacheAndFailedChecks(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	useRig(t, r)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	cacheDir := filepath.Join(dir, "cache")
	flags := []string{"-f", specPath, "--cache-to", "type=local,dest=" + cacheDir, "--cache-from", "type=local,src=" + cacheDir}

	t.Run("type=local", func(t *testing.T) {
		write(t, specPath, remoteCacheSpec("", "one", r.Registry))
		cacheBuild(t, 0, flags...)
		for _, img := range []string{"parent", "leaf"} {
			if _, err := os.Stat(filepath.Join(cacheDir, img, "index.json")); err != nil {
				t.Fatalf("no local cache for %s: %v", img, err)
			}
		}
		freshBuilder(t)
		write(t, specPath, remoteCacheSpec("", "two", r.Registry))
		took, ran, _ := cacheBuild(t, 0, flags...)
		if want := []string{"[leaf] step: edit"}; !slices.Equal(ran, want) {
			t.Errorf("on a fresh builder with the local cache, steps that ran: %q, want only %q", ran, want)
		}
		t.Logf("leaf edit on a fresh builder with type=local cache: %v", took.Round(10*time.Millisecond))
	})

	t.Run("failed checks export no cache", func(t *testing.T) {
		failDir := filepath.Join(dir, "failcache")
		spec := strings.Replace(remoteCacheSpec("", "one", r.Registry), "    apt: [tree]\n", "    apt: [tree]\n    test: [\"exit 3\"]\n", 1)
		write(t, specPath, spec)
		regCache := r.Registry + "/rcache/failcache"
		_, _, stderr := cacheBuild(t, 1, "-f", specPath, "--cache-to", "type=local,dest="+failDir, "--cache-to", "type=registry,ref="+regCache)
		if !strings.Contains(stderr, `building image "leaf"`) {
			t.Errorf("the error does not name the failed image:\n%s", lastLines(stderr, 5))
		}
		if _, err := os.Stat(filepath.Join(failDir, "parent", "index.json")); err != nil {
			t.Errorf("the parent passed but exported no local cache: %v", err)
		}
		if !tagExists(t, regCache+":parent") {
			t.Errorf("the parent passed but exported no registry cache to %s:parent", regCache)
		}
		if _, err := os.Stat(filepath.Join(failDir, "leaf", "index.json")); err == nil {
			t.Error("the leaf failed its checks yet exported local cache")
		}
		if tagExists(t, regCache+":leaf") {
			t.Errorf("the leaf failed its checks yet exported registry cache to %s:leaf", regCache)
		}
	})
}

// TestInlineCache exports the cache inside the pushed images (type=inline)
// and imports it from them on a fresh builder: a leaf edit runs only the
// edited step.
func TestInlineCache(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	useRig(t, r)
	specPath := filepath.Join(t.TempDir(), "wsbuild.yaml")
	spec := func(word string) {
		write(t, specPath, strings.Replace(remoteCacheSpec("", word, r.Registry), "namespace: rcache", "namespace: inline", 1))
	}
	spec("one")
	cacheBuild(t, 0, "-f", specPath, "--push", "--cache-to", "type=inline")
	freshBuilder(t)
	spec("two")
	took, ran, _ := cacheBuild(t, 0, "-f", specPath, "--push", "--cache-to", "type=inline",
		"--cache-from", "type=registry,ref={ref}")
	if want := []string{"[leaf] step: edit"}; !slices.Equal(ran, want) {
		t.Errorf("on a fresh builder with the inline cache, steps that ran: %q, want only %q", ran, want)
	}
	t.Logf("leaf edit on a fresh builder with the inline cache: %v", took.Round(10*time.Millisecond))
}
