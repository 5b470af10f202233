package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	units "github.com/docker/go-units"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// cacheSpec is a small family whose child takes a new 8 MB layer of random
// bytes (which does not compress) whenever rev.txt changes.
const cacheSpec = `images:
  parent:
    base: debian:bookworm
    steps: ["head -c 4000000 /dev/urandom > parent.bin"]
  child:
    from: parent
    copy: [{src: rev.txt, dst: rev.txt}]
    steps: ["head -c 8000000 /dev/urandom > child.bin"]
  sibling:
    from: parent
    steps: ["true"]
`

// cacheBuilds is how many builds TestCachesStayBounded runs.
const cacheBuilds = 10

// cacheLimit is the limit TestCachesStayBounded sets: above what one run
// of cacheSpec needs in either cache, below what ten runs left before
// wsbuild pruned its caches.
const cacheLimit = 250e6

// TestCachesStayBounded builds cacheSpec ten times with a change between
// builds and checks that the content store holds no more after the last
// build than after the first one (one run's images), and that it and the
// private buildkitd's build cache each stay under the cache limit; it logs
// their sizes. Then `wsbuild prune --all` empties both.
func TestCachesStayBounded(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	cache := t.TempDir()
	t.Setenv("WSBUILD_CACHE_DIR", cache)
	t.Setenv(pipeline.EnvCacheLimit, fmt.Sprint(int64(cacheLimit)))
	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, cacheSpec)
	store, state := filepath.Join(cache, "content"), filepath.Join(cache, "buildkitd")
	var first int64
	for i := range cacheBuilds {
		write(t, filepath.Join(dir, "rev.txt"), fmt.Sprintf("revision %d\n", i))
		if code, stderr := wsbuild(t, "build", "-f", specPath, "--progress", "plain"); code != 0 {
			t.Fatalf("build %d exited %d:\n%s", i+1, code, lastLines(stderr, 80))
		}
		s, b := dirSize(t, store), dirSize(t, state)
		t.Logf("after build %2d: content store %s, build cache %s", i+1,
			units.HumanSize(float64(s)), units.HumanSize(float64(b)))
		if i == 0 {
			first = s
		}
		// Each run's images differ from the last in a few small blobs and
		// the child's new 8 MB layer, which replaces the old one.
		if s > first+1e6 {
			t.Errorf("after build %d the content store holds %d bytes, %d more than after the first", i+1, s, s-first)
		}
		if s > cacheLimit || b > cacheLimit {
			t.Errorf("after build %d: content store %d bytes, build cache %d bytes, limit %d", i+1, s, b, int64(cacheLimit))
		}
	}

	code, stderr := wsbuild(t, "prune", "--all")
	if code != 0 {
		t.Fatalf("prune --all exited %d:\n%s", code, stderr)
	}
	s, b := dirSize(t, store), dirSize(t, state)
	t.Logf("after prune --all: content store %s, build cache %s", units.HumanSize(float64(s)), units.HumanSize(float64(b)))
	if s > 0 || b > 20e6 {
		t.Errorf("after prune --all: content store %d bytes, build cache %d bytes, want none (but buildkitd's own files)", s, b)
	}
}

// dirSize is the size of the regular files under dir, each counted once.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	seen := map[uint64]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if ino, ok := inode(info); ok {
			if seen[ino] {
				return nil
			}
			seen[ino] = true
		}
		n += info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
