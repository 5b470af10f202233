package frontendimage

import (
	"archive/tar"
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestAssembleIsReproducible(t *testing.T) {
	b := testBinaries(t)
	want := digest(t, mustAssemble(t, b))
	// A copy of the bytes, not the same slices: only content counts.
	again := Binaries{Frontend: bytes.Clone(b.Frontend), Probe: bytes.Clone(b.Probe)}
	if got := digest(t, mustAssemble(t, again)); got != want {
		t.Fatalf("two assemblies of the same binaries: %s and %s", want, got)
	}
	t.Logf("digest of the test binaries' image: %s", want)

	// Each input shows in the digest.
	for name, opts := range map[string][]Option{
		"epoch":    {WithCreated(time.Unix(1700000000, 0))},
		"version":  {WithVersion("v1.2.3")},
		"source":   {WithSource("https://example.org/fork")},
		"label":    {WithLabels(map[string]string{"org.opencontainers.image.revision": "abc"})},
		"platform": {WithPlatform(platformOf("linux/amd64/v3"))},
	} {
		if got := digest(t, mustAssemble(t, b, opts...)); got == want {
			t.Errorf("%s: the digest did not change", name)
		}
	}
	swapped := Binaries{Frontend: b.Probe, Probe: b.Frontend}
	if got := digest(t, mustAssemble(t, swapped)); got == want {
		t.Error("swapping the binaries did not change the digest")
	}
}

func TestLayerHoldsTheTwoBinaries(t *testing.T) {
	b := testBinaries(t)
	epoch := time.Unix(1700000000, 0)
	img := mustAssemble(t, b, WithCreated(epoch))
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	if mt, _ := layers[0].MediaType(); mt != types.OCILayer {
		t.Errorf("layer media type %q, want %q", mt, types.OCILayer)
	}
	want := []struct {
		name string
		typ  byte
		data []byte
	}{
		{"bin/", tar.TypeDir, nil},
		{"bin/wsbuild-frontend", tar.TypeReg, b.Frontend},
		{"bin/wsbuild-probe", tar.TypeReg, b.Probe},
	}
	got := entries(t, layers[0])
	if len(got) != len(want) {
		t.Fatalf("layer has %d entries, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		h := got[i].hdr
		if h.Name != w.name || h.Typeflag != w.typ {
			t.Errorf("entry %d: %q type %c, want %q type %c", i, h.Name, h.Typeflag, w.name, w.typ)
		}
		if h.Mode != 0o755 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: mode %o owner %d:%d (%q:%q), want 755 0:0", h.Name, h.Mode, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if !h.ModTime.Equal(epoch) {
			t.Errorf("%s: mtime %s, want %s", h.Name, h.ModTime, epoch)
		}
		if !bytes.Equal(got[i].data, w.data) {
			t.Errorf("%s: %d bytes differ from the %d given", h.Name, len(got[i].data), len(w.data))
		}
	}
}

func TestConfig(t *testing.T) {
	epoch := time.Unix(1700000000, 0).UTC()
	img := mustAssemble(t, testBinaries(t), WithCreated(epoch), WithVersion("v0.1.0"),
		WithLabels(map[string]string{"org.opencontainers.image.revision": "abc"}))
	if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %q, want OCI", mt)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cf.Config.Entrypoint, []string{"/bin/wsbuild-frontend"}) || cf.Config.Cmd != nil {
		t.Errorf("entrypoint %q cmd %q, want [/bin/wsbuild-frontend] and none", cf.Config.Entrypoint, cf.Config.Cmd)
	}
	wantLabels := map[string]string{
		"moby.buildkit.frontend.network.none": "true",
		"moby.buildkit.frontend.caps":         "moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts",
		"org.opencontainers.image.title":      "wsbuild-frontend",
		"org.opencontainers.image.source":     "https://github.com/wsbuild/wsbuild",
		"org.opencontainers.image.version":    "v0.1.0",
		"org.opencontainers.image.revision":   "abc",
	}
	if !maps.Equal(cf.Config.Labels, wantLabels) {
		t.Errorf("labels %v, want %v", cf.Config.Labels, wantLabels)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" || cf.Variant != "" {
		t.Errorf("platform %s/%s/%s, want linux/amd64", cf.OS, cf.Architecture, cf.Variant)
	}
	if !cf.Created.Equal(epoch) {
		t.Errorf("created %s, want %s", cf.Created, epoch)
	}
	if len(cf.History) != 1 || !cf.History[0].Created.Equal(epoch) {
		t.Errorf("history %+v, want one entry created at %s", cf.History, epoch)
	}
	if len(cf.RootFS.DiffIDs) != 1 {
		t.Errorf("rootfs diff IDs %v, want one", cf.RootFS.DiffIDs)
	}
}

func TestPlatform(t *testing.T) {
	arm := Binaries{Frontend: hello(t, "arm64", "frontend"), Probe: hello(t, "arm64", "probe")}
	cf, err := mustAssemble(t, arm, WithPlatformString("linux/arm64")).ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != "arm64" {
		t.Errorf("platform %s/%s, want linux/arm64", cf.OS, cf.Architecture)
	}
	// The default platform is amd64: arm64 binaries do not fit it.
	if _, err := Assemble(arm); err == nil || !strings.Contains(err.Error(), "EM_AARCH64") {
		t.Errorf("arm64 binaries in an amd64 image: err %v, want one naming EM_AARCH64", err)
	}
	if _, err := Assemble(arm, WithPlatformString("windows/arm64")); err == nil {
		t.Error("a windows platform was accepted")
	}
}
