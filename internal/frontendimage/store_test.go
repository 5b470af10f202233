package frontendimage

import (
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// TestPushRoundTrip pushes to the rig's real registry (docker-registry) over
// plain HTTP and reads the image back by tag.
func TestPushRoundTrip(t *testing.T) {
	r := rig.ForTest(t)
	img := mustAssemble(t, testBinaries(t))
	want := digest(t, img)
	ref := r.Registry + "/wsbuild/wsbuild-frontend:test"

	got, err := Push(t.Context(), img, ref, WithInsecure())
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if got.String() != r.Registry+"/wsbuild/wsbuild-frontend@"+want.String() {
		t.Errorf("Push returned %s, want the repository at %s", got, want)
	}

	tag, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(tag, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("pulling %s back: %v", ref, err)
	}
	if d := digest(t, pulled); d != want {
		t.Errorf("the registry serves %s as %s, pushed %s", ref, d, want)
	}
	cf, err := pulled.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.Labels[LabelCaps] != Caps || cf.Architecture != "amd64" {
		t.Errorf("pulled config: labels %v, architecture %q", cf.Config.Labels, cf.Architecture)
	}

}

func TestWriteLayoutAndTarball(t *testing.T) {
	img := mustAssemble(t, testBinaries(t))
	want := digest(t, img)
	dir := t.TempDir()

	lay := filepath.Join(dir, "layout")
	for range 2 { // the second write appends to the existing layout
		if err := WriteLayout(lay, img, "wsbuild/wsbuild-frontend:dev"); err != nil {
			t.Fatalf("WriteLayout: %v", err)
		}
	}
	idx, err := layout.ImageIndexFromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 2 || im.Manifests[0].Digest != want ||
		im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "wsbuild/wsbuild-frontend:dev" {
		t.Errorf("layout index %+v, want two entries of %s named wsbuild/wsbuild-frontend:dev", im.Manifests, want)
	}

	tb := filepath.Join(dir, "image.tar")
	if err := WriteTarball(tb, img, "wsbuild/wsbuild-frontend:dev"); err != nil {
		t.Fatalf("WriteTarball: %v", err)
	}
	loaded, err := tarball.ImageFromPath(tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCfg, _ := img.ConfigName()
	if gotCfg, err := loaded.ConfigName(); err != nil || gotCfg != wantCfg {
		t.Errorf("tarball's config %s (%v), want %s", gotCfg, err, wantCfg)
	}
}
