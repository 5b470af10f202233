package pipeline

import (
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/provenance"
)

// TestPushAttestsProvenance: a pushed image's tag holds an index of the
// image and its provenance, which names the image's input digest and its
// parent by the digest pushed; with --provenance=false and --sbom=false
// the tag holds the image manifest itself.
func TestPushAttestsProvenance(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a")
	r := runner(t, &fakeDaemon{}, reg.publisher(t))
	res, err := r.Build(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Built{}
	for _, b := range res.Images {
		byName[b.Name] = b
	}
	a := byName["a"]
	pub := reg.publisher(t)
	got, err := pub.Attested(t.Context(), reg.tag("a"), true, v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest.String() != a.Digest || got.Image.String() != a.ImageDigest || a.Digest == a.ImageDigest {
		t.Fatalf("tag holds %s (image %s), metadata says %s (image %s)", got.Digest, got.Image, a.Digest, a.ImageDigest)
	}
	st := attest.Of(got.Statements, attest.PredicateSLSA1)
	if st == nil || !st.About(got.Image) {
		t.Fatalf("no provenance about the image: %+v", got.Statements)
	}
	b, err := provenance.Parse(st.Predicate)
	if err != nil {
		t.Fatal(err)
	}
	if string(b.InputDigest) != a.InputDigest || b.Parent == nil || b.Parent.Digest.String() != byName["python"].ImageDigest ||
		b.Parent.Ref != reg.tag("python") || b.Image != "a" {
		t.Errorf("provenance = %+v; want input digest %s and parent %s", b, a.InputDigest, byName["python"].ImageDigest)
	}
	if attest.Of(got.Statements, attest.PredicateSPDX) != nil {
		t.Errorf("an SBOM without the image's package list")
	}

	o.NoSBOM, o.NoProvenance, o.Force = true, true, true
	if _, err := r.Build(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	n, err := name.ParseReference(reg.tag("a"), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(n, remote.WithTransport(http.DefaultTransport))
	if err != nil {
		t.Fatal(err)
	}
	if desc.MediaType.IsIndex() {
		t.Errorf("without attestations the tag holds a %s, want the image manifest", desc.MediaType)
	}
}
