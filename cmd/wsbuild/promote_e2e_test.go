package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// promoteSpec is a two-image family whose child adds a layer to its
// parent's: it pushes to namespace staging of registry A.
const promoteSpec = `images:
  tool:
    base: debian:bookworm
    steps: ["head -c 3000000 /dev/urandom > tool.bin"]
    tag: "1"
  leaf:
    from: tool
    steps: ["head -c 2000000 /dev/urandom > leaf.bin"]
    tag: "1"
push:
  - {registry: %s, namespace: staging, insecure: true}
`

// TestPromoteExportImport proves what crosses the wire, as two
// registries of the test's own record it: a family pushed to two registries
// sends each blob to each once; promoted from one namespace to another of
// the same registry, it sends none (every blob, config included, mounts);
// promoted to another registry, each blob goes there once; the promoted
// tags hold the same digests, and a build against them skips everything.
// Exported to a tarball and imported into a third registry that never saw
// them, the images keep their digests, each blob arrives once, and a build
// against them skips. Promoting images built from other inputs is refused
// with nothing sent.
func TestPromoteExportImport(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	a, b := rig.RegistryForTest(t), rig.RegistryForTest(t)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(promoteSpec, a.Addr))

	// One build, two registries.
	both := fmt.Sprintf("push=[{registry: %s, namespace: staging, insecure: true}, {registry: %s, namespace: mirror, insecure: true}]", a.Addr, b.Addr)
	if code, stderr := wsbuild(t, "build", "-f", specPath, "--push", "--progress", "plain", "--set", both); code != 0 {
		t.Fatalf("build to both registries exited %d:\n%s", code, lastLines(stderr, 30))
	}
	// What the tags hold: each image in an index with its attestations.
	images := map[string]v1.Hash{}
	for _, n := range []string{"tool", "leaf"} {
		images[n] = headDigest(t, a.Addr+"/staging/"+n+":1")
	}
	assertHolds(t, b.Addr+"/mirror", images)
	blobs := familyBlobs(t, a.Addr+"/staging/tool:1", a.Addr+"/staging/leaf:1")
	for reg, log := range map[string]*rig.BlobLog{"A": a.Blobs, "B": b.Blobs} {
		uploads, mounts := log.Take()
		assertEachBlobOnce(t, "pushing to registry "+reg, uploads, mounts, blobs)
		t.Logf("registry %s: %d blobs uploaded, %d mounted, for %d in the family", reg, len(uploads), len(mounts), len(blobs))
	}

	// Promotion within registry A: nothing uploaded.
	promote := func(args ...string) (int, string) {
		t.Helper()
		return wsbuild(t, append([]string{"promote", "-f", specPath}, args...)...)
	}
	if code, stderr := promote("--namespace", "release"); code != 0 {
		t.Fatalf("promote to namespace release exited %d:\n%s", code, lastLines(stderr, 30))
	}
	uploads, mounts := a.Blobs.Take()
	if len(uploads) != 0 {
		t.Errorf("promoting within one registry uploaded %d blobs, want none: %v", len(uploads), uploads)
	}
	if len(mounts) == 0 {
		t.Errorf("promoting within one registry mounted no blob")
	}
	assertHolds(t, a.Addr+"/release", images)
	assertSkips(t, specPath, "--namespace", "release")

	// Promotion to registry B: each blob once.
	if code, stderr := promote("--registry", b.Addr, "--namespace", "prod"); code != 0 {
		t.Fatalf("promote to registry B exited %d:\n%s", code, lastLines(stderr, 30))
	}
	uploads, mounts = b.Blobs.Take()
	assertEachBlobOnce(t, "promoting to registry B", uploads, mounts, blobs)
	assertHolds(t, b.Addr+"/prod", images)

	// The air-gapped path: export staging to a tarball, import it into a
	// registry that never saw the images.
	c := rig.RegistryForTest(t)
	tarball := filepath.Join(dir, "family.tar")
	if code, stderr := wsbuild(t, "export", "-f", specPath, "-o", tarball); code != 0 {
		t.Fatalf("export exited %d:\n%s", code, lastLines(stderr, 30))
	}
	if code, stderr := wsbuild(t, "import", "--registry", c.Addr, "--namespace", "offline", tarball); code != 0 {
		t.Fatalf("import exited %d:\n%s", code, lastLines(stderr, 30))
	}
	uploads, mounts = c.Blobs.Take()
	assertEachBlobOnce(t, "importing into registry C", uploads, mounts, blobs)
	assertHolds(t, c.Addr+"/offline", images)
	assertSkips(t, specPath, "--registry", c.Addr, "--namespace", "offline")

	// A spec that no longer builds what staging holds is refused.
	code, stderr := promote("--namespace", "refused", "--set", "leaf.env.CHANGED=1")
	if code != 1 || !strings.Contains(stderr, `image "leaf": `+a.Addr+"/staging/leaf:1 was built from other inputs") ||
		!strings.Contains(stderr, "nothing promoted") {
		t.Errorf("promoting a changed spec exited %d, want 1 naming leaf and its source:\n%s", code, lastLines(stderr, 10))
	}
	if _, err := remote.Head(ref(t, a.Addr+"/refused/tool:1")); err == nil {
		t.Errorf("refused/tool:1 exists after a refused promotion")
	}
	if uploads, mounts := a.Blobs.Take(); len(uploads)+len(mounts) != 0 {
		t.Errorf("a refused promotion put %d blobs into registry A", len(uploads)+len(mounts))
	}
}

// assertHolds fails unless prefix/NAME:1 holds each of images, by the
// digest of what the tag holds.
func assertHolds(t *testing.T, prefix string, images map[string]v1.Hash) {
	t.Helper()
	for n, want := range images {
		if got := headDigest(t, prefix+"/"+n+":1"); got != want {
			t.Errorf("%s/%s:1 is %s, want the staged %s", prefix, n, got, want)
		}
	}
}

// assertSkips builds the spec with --push and args and fails unless every
// image was skipped: its tags already held what the spec builds.
func assertSkips(t *testing.T, specPath string, args ...string) {
	t.Helper()
	meta := filepath.Join(t.TempDir(), "meta.json")
	args = append([]string{"build", "-f", specPath, "--push", "--progress", "plain", "--metadata-file", meta}, args...)
	if code, stderr := wsbuild(t, args...); code != 0 {
		t.Fatalf("%v exited %d:\n%s", args, code, lastLines(stderr, 30))
	}
	for n, m := range readMetadata(t, meta) {
		if m["action"] != "skip" {
			t.Errorf("%v did %v to %s, want skip", args, m["action"], n)
		}
	}
}

// familyBlobs lists the distinct blobs (configs and layers) of what the
// tags hold: each image, and the attestation manifest beside it in an
// index.
func familyBlobs(t *testing.T, tags ...string) []string {
	t.Helper()
	var out []string
	add := func(img v1.Image) {
		m, err := img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m.Config.Digest.String())
		for _, l := range m.Layers {
			out = append(out, l.Digest.String())
		}
	}
	for _, tag := range tags {
		desc, err := remote.Get(ref(t, tag))
		if err != nil {
			t.Fatal(err)
		}
		if !desc.MediaType.IsIndex() {
			add(pull(t, tag))
			continue
		}
		idx, err := desc.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range im.Manifests {
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			add(img)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// assertEachBlobOnce fails unless uploads sent no blob twice and no blob
// outside the family (blobs, sorted), and every blob of the family was
// uploaded or mounted: the registry had none of it before.
func assertEachBlobOnce(t *testing.T, what string, uploads, mounts []rig.Upload, blobs []string) {
	t.Helper()
	arrived := map[string]bool{}
	for _, u := range append(slices.Clone(uploads), mounts...) {
		arrived[u.Digest] = true
	}
	for _, d := range blobs {
		if !arrived[d] {
			t.Errorf("%s neither uploaded nor mounted blob %s", what, d)
		}
	}
	seen := map[string]int{}
	for _, u := range uploads {
		seen[u.Digest]++
		if seen[u.Digest] == 2 {
			t.Errorf("%s sent blob %s more than once", what, u.Digest)
		}
		if _, ok := slices.BinarySearch(blobs, u.Digest); !ok {
			t.Errorf("%s sent blob %s, which is not in the family", what, u.Digest)
		}
	}
}
