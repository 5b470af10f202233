package ocilayout

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// family is a parent and a child on it, the child with two tags.
func family(t *testing.T) []Entry {
	t.Helper()
	parent, err := random.Image(1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	layer, err := random.Layer(500, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	child, err := mutate.AppendLayers(parent, layer)
	if err != nil {
		t.Fatal(err)
	}
	return []Entry{
		{Name: "tool", Repository: "tool", Tag: "1", Ref: "reg.example/a/tool:1", Image: parent},
		{Name: "leaf", Parent: "tool", Repository: "leaf", Tag: "1", Ref: "reg.example/a/leaf:1", Image: child},
		{Name: "leaf", Parent: "tool", Repository: "leaf", Tag: "latest", Ref: "reg.example/a/leaf:latest", Image: child},
	}
}

func digestOf(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRoundTrip writes a family to a folder and to a tarball and reads
// back the same entries, in order, with the same manifest digests and
// readable layers; a blob the images share is stored once.
func TestRoundTrip(t *testing.T) {
	want := family(t)
	for _, out := range []string{"layout", "family.tar"} {
		t.Run(out, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), out)
			if err := Write(path, want); err != nil {
				t.Fatal(err)
			}
			got, done, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := done(); err != nil {
					t.Error(err)
				}
			}()
			if len(got) != len(want) {
				t.Fatalf("read %d entries, wrote %d", len(got), len(want))
			}
			for i, g := range got {
				w := want[i]
				if g.Name != w.Name || g.Parent != w.Parent || g.Repository != w.Repository || g.Tag != w.Tag || g.Ref != w.Ref {
					t.Errorf("entry %d is %+v, want %+v", i, g, w)
				}
				if digestOf(t, g.Image) != digestOf(t, w.Image) {
					t.Errorf("entry %d: digest %s, want %s", i, digestOf(t, g.Image), digestOf(t, w.Image))
				}
				layers, err := g.Image.Layers()
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range layers {
					rc, err := l.Compressed()
					if err != nil {
						t.Fatalf("entry %d: %v", i, err)
					}
					rc.Close()
				}
			}
		})
	}
	dir := filepath.Join(t.TempDir(), "layout")
	if err := Write(dir, want); err != nil {
		t.Fatal(err)
	}
	blobs, err := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	// Parent: config, manifest, 2 layers; child: config, manifest, 1 new layer.
	if len(blobs) != 7 {
		t.Errorf("the layout holds %d blobs, want 7 (shared layers once)", len(blobs))
	}
}

// TestRefusals covers a folder that is not empty, a tarball entry that
// leaves the layout, and a layout wsbuild did not write.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, family(t)); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("writing into a folder with a file: %v, want not empty", err)
	}

	evil := filepath.Join(t.TempDir(), "evil.tar")
	f, err := os.Create(evil)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	if err := tw.WriteHeader(&tar.Header{Name: "../escape", Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	f.Close()
	if _, _, err := Open(evil); err == nil || !strings.Contains(err.Error(), "leaves the layout") {
		t.Errorf("opening a tarball with ../escape: %v, want leaves the layout", err)
	}

	bare := filepath.Join(t.TempDir(), "bare")
	e := family(t)[:1]
	e[0].Name = ""
	if err := Write(bare, e); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(bare); err == nil || !strings.Contains(err.Error(), "not written by wsbuild export") {
		t.Errorf("opening a layout without wsbuild's annotations: %v", err)
	}
}
