package solve

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/spec"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// solveSpec is an image whose test passes and a child whose test fails.
const solveSpec = `images:
  good:
    base: debian:bookworm
    test: ["test -d /home/user"]
  bad:
    from: good
    test: ["test -e /no/such/file"]
`

// TestSolveOnBuildkitd resolves a base and builds two images on a real
// buildkitd (the rig's, with its registry as docker.io): the base comes
// back pinned by digest with its config; the good image lands in the
// content store as a manifest carrying the input digest annotation; the
// bad one reports its failed check by name without failing the good one.
func TestSolveOnBuildkitd(t *testing.T) {
	r := rig.ForTest(t)
	ctx := t.Context()
	conn, err := buildkitd.Connect(ctx, buildkitd.WithAddr(""), buildkitd.WithBinary(r.Buildkitd),
		buildkitd.WithConfig(r.BuildkitdConfig), buildkitd.WithStateDir(t.TempDir()), buildkitd.WithLog(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("closing buildkitd: %v", err)
		}
	})
	dir := t.TempDir()
	specFile := filepath.Join(dir, "wsbuild.yaml")
	if err := os.WriteFile(specFile, []byte(solveSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(conn.Client(), WithProgress("quiet", io.Discard), WithContextDir(dir))
	if err != nil {
		t.Fatal(err)
	}

	platform := oci.DefaultPlatform()
	bases, err := s.ResolveBases(ctx, []string{"debian:bookworm"}, platform)
	if err != nil {
		t.Fatal(err)
	}
	base := bases["debian:bookworm"]
	if err := base.Digest.Validate(); err != nil || base.Ref != "docker.io/library/debian:bookworm@"+base.Digest.String() {
		t.Fatalf("resolved base %q digest %q (%v), want it pinned by its digest", base.Ref, base.Digest, err)
	}
	var cfg ocispec.Image
	if err := json.Unmarshal(base.Config, &cfg); err != nil || cfg.Architecture != platform.Architecture || cfg.OS != "linux" {
		t.Fatalf("base config %s (%v), want %s/linux", base.Config, err, platform.Architecture)
	}

	f, err := spec.Load(specFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f, plan.WithPlatform(platforms.Format(platform)))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetBaseDigests(map[string]digest.Digest{"debian:bookworm": base.Digest}); err != nil {
		t.Fatal(err)
	}
	images, err := wsllb.Compile(p, bases, wsllb.WithPlatform(platform))
	if err != nil {
		t.Fatal(err)
	}
	local, err := contentlocal.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	results, err := s.Build(ctx, images, OneWriterStore(local))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if len(results) != 2 || results[0].Name != "good" || results[1].Name != "bad" || Failed(results) != 1 {
		t.Fatalf("results %+v, want good built and bad failed", results)
	}
	if err := results[0].Err; err != nil {
		t.Fatalf("good: %v", err)
	}
	if err := results[1].Err; err == nil || !strings.Contains(err.Error(), `failed checks: "test 2: test -e /no/such/file"`) {
		t.Errorf("bad: %v, want its failed check named", err)
	}
	raw, err := content.ReadBlob(ctx, local, results[0].Manifest)
	if err != nil {
		t.Fatalf("reading good's manifest from the store: %v", err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Annotations[oci.AnnotationInputDigest], p.Node("good").InputDigest.String(); got != want {
		t.Errorf("good's manifest input digest %q, want %q", got, want)
	}
}
