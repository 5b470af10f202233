package main

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// layoutBaseSpec builds on a base handed over as a file.
const layoutBaseSpec = `images:
  offline:
    base: oci-layout:bases/debian.tar:bookworm
    steps: ["test -f /etc/handed-over"]
    tag: "1"
push:
  - {registry: %s, namespace: air, insecure: true}
`

// TestLayoutBase builds a family whose base exists only in an OCI layout
// tarball next to the spec (the rig's Debian with a file added, in no
// registry), pushes it to a registry that holds no base, and checks that
// the lock file pins the base by its manifest digest, the image stands on
// the base's layers and has the added file, and a layout that no longer
// holds the pinned image is an error naming the spec line.
func TestLayoutBase(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	reg := rig.RegistryForTest(t)
	dir := t.TempDir()
	base := handedOverBase(t, rig.BaseRef(r.Registry))
	writeLayoutTarball(t, filepath.Join(dir, "bases", "debian.tar"), base, "bookworm")
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(layoutBaseSpec, reg.Addr))

	if code, stderr := wsbuild(t, "lock", "-f", specPath); code != 0 {
		t.Fatalf("lock exited %d:\n%s", code, lastLines(stderr, 30))
	}
	lock, err := os.ReadFile(filepath.Join(dir, "wsbuild.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if want := mustDigest(t, base).String(); !strings.Contains(string(lock), want) {
		t.Errorf("the lock file does not pin the layout's image %s:\n%s", want, lock)
	}
	if code, stderr := wsbuild(t, "build", "-f", specPath, "--push", "--progress", "plain"); code != 0 {
		t.Fatalf("build on the layout base exited %d:\n%s", code, lastLines(stderr, 40))
	}
	img := pull(t, reg.Addr+"/air/offline:1")
	baseLayers, layers := layerDigests(t, base), layerDigests(t, img)
	if len(layers) <= len(baseLayers) {
		t.Fatalf("the image has %d layers, its base %d", len(layers), len(baseLayers))
	}
	for i, l := range baseLayers {
		if layers[i] != l {
			t.Errorf("layer %d is %s, the base's is %s", i, layers[i], l)
		}
	}
	if _, ok := files(t, img)["etc/handed-over"]; !ok {
		t.Errorf("the image lacks /etc/handed-over, which only the handed-over base has")
	}

	// The layout handed over again, with another image: the lock's pin is gone.
	writeLayoutTarball(t, filepath.Join(dir, "bases", "debian.tar"), pull(t, rig.BaseRef(r.Registry)), "bookworm")
	code, stderr := wsbuild(t, "build", "-f", specPath, "--progress", "plain")
	if code != 2 || !strings.Contains(stderr, "wsbuild.yaml:3") || !strings.Contains(stderr, "run wsbuild lock") {
		t.Errorf("a build whose layout lost the pinned image exited %d, want 2 naming wsbuild.yaml:3 and wsbuild lock:\n%s", code, lastLines(stderr, 5))
	}
}

// handedOverBase is the image at ref with /etc/handed-over added.
func handedOverBase(t *testing.T, ref string) v1.Image {
	t.Helper()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			tw := tar.NewWriter(pw)
			err := tw.WriteHeader(&tar.Header{Name: "etc/handed-over", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
			if err == nil {
				_, err = tw.Write([]byte("yes"))
			}
			if err == nil {
				err = tw.Close()
			}
			pw.CloseWithError(err)
		}()
		return pr, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(pull(t, ref), layer)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// writeLayoutTarball writes img, tagged tag, as the only image of an OCI
// layout tarball at path, as a platform's maintainers would get it.
func writeLayoutTarball(t *testing.T, path string, img v1.Image, tag string) {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{ocispec.AnnotationRefName: tag})); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(dir).(fs.FS)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}
