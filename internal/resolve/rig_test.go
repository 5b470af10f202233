package resolve

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/solve"
)

// TestMatchesBuildkitd resolves the same references with this package and
// with buildkitd (internal/solve), both configured by the rig's
// buildkitd.toml, and wants identical results: debian:bookworm through the
// docker.io mirror (a single manifest), a multi-platform index, and a
// reference pinned by digest. It runs against the real registry and
// buildkitd, and is left out only under -short.
func TestMatchesBuildkitd(t *testing.T) {
	r := rig.ForTest(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	// An index: the base for this machine's platform, and another image for another one.
	base, err := remote.Image(mustRef(t, rig.BaseRef(r.Registry)), remote.WithContext(ctx))
	if err != nil {
		t.Fatalf("reading the rig's base: %v", err)
	}
	other := image(t, ocispec.Platform{OS: "linux", Architecture: "s390x"})
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: other, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "s390x"}}},
		mutate.IndexAddendum{Add: base, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}},
	)
	idxDigest := push(t, r.Registry+"/library/multi:1", idx)

	refs := []string{
		"debian:bookworm",             // docker.io, through the mirror
		"docker.io/library/multi:1",   // an index, through the mirror
		"multi@" + idxDigest.String(), // pinned by digest
		r.Registry + "/library/debian:bookworm",
	}
	platform := ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}

	conn, err := buildkitd.Connect(ctx, buildkitd.WithAddr(""), buildkitd.WithStateDir(t.TempDir()),
		buildkitd.WithBinary(r.Buildkitd), buildkitd.WithConfig(r.BuildkitdConfig))
	if err != nil {
		t.Fatalf("starting buildkitd: %v", err)
	}
	defer conn.Close()
	s, err := solve.New(conn.Client())
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.ResolveBases(ctx, refs, platform)
	if err != nil {
		t.Fatalf("buildkitd's ResolveBases: %v", err)
	}

	t.Setenv(EnvConfig, r.BuildkitdConfig)
	res, err := New()
	if err != nil {
		t.Fatal(err)
	}
	got, err := res.ResolveBases(ctx, refs, platform)
	if err != nil {
		t.Fatalf("ResolveBases: %v", err)
	}
	for _, ref := range refs {
		g, w := got[ref], want[ref]
		if g.Ref != w.Ref || g.Digest != w.Digest {
			t.Errorf("%s: got %s (%s), buildkitd gives %s (%s)", ref, g.Ref, g.Digest, w.Ref, w.Digest)
		}
		if !bytes.Equal(g.Config, w.Config) {
			t.Errorf("%s: config differs from buildkitd's:\n got %s\nwant %s", ref, g.Config, w.Config)
		}
		t.Logf("%s -> %s", ref, g.Ref)
	}
	if len(got) != len(want) {
		t.Errorf("got %d bases, buildkitd %d", len(got), len(want))
	}
	if d := want["docker.io/library/multi:1"].Digest.String(); d != idxDigest.String() {
		t.Errorf("buildkitd resolved the index to %s, want the index digest %s", d, idxDigest)
	}
}

// TestMissingImageThroughMirror: an image neither the mirror nor docker.io
// has fails with an error naming the reference as written.
func TestMissingImageThroughMirror(t *testing.T) {
	r := rig.ForTest(t)
	res, err := New(WithConfigFile(r.BuildkitdConfig))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err = res.ResolveBases(ctx, []string{"debian:bookworm", "debian:no-such-tag"}, ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH})
	if err == nil {
		t.Fatal("ResolveBases found debian:no-such-tag")
	}
	for _, s := range []string{`resolving base image "debian:no-such-tag"`, r.Registry + "/library/debian:no-such-tag", "MANIFEST_UNKNOWN"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
