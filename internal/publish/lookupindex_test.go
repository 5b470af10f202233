package publish

import (
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// TestLookupIndex reads a tag holding an index of an image and its
// attestations: for the image's platform, the image's input digest, its
// digest beside the index's, and the attestation manifest's; for another
// platform, no image and why. Source and Attested read the same index.
func TestLookupIndex(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	img, err := random.Image(256, 2)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.Annotations(img, map[string]string{oci.AnnotationInputDigest: "sha256:" + strings.Repeat("a", 64)}).(v1.Image)
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	ref := host + "/ns/img:1"
	idx, err := attest.Attach(img, amd64, []string{ref}, []attest.Predicate{{Type: attest.PredicateSLSA1, Body: json.RawMessage(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	imgDigest, _ := img.Digest()
	idxDigest, _ := idx.Digest()
	r := oci.Ref{Name: ref, Repository: host + "/ns/img", Insecure: true}

	found, err := p.Lookup(t.Context(), []oci.Ref{r}, amd64)
	if err != nil {
		t.Fatal(err)
	}
	f := found[0]
	if f.Digest != idxDigest || f.Image != imgDigest || f.Attestation == (v1.Hash{}) || f.InputDigest == "" || len(f.Layers) != 2 || !f.MediaType.IsIndex() {
		t.Errorf("found %+v; want index %s, image %s with its input digest and two layers", f, idxDigest, imgDigest)
	}

	found, err = p.Lookup(t.Context(), []oci.Ref{r}, v1.Platform{OS: "linux", Architecture: "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	if f := found[0]; f.Image != (v1.Hash{}) || f.InputDigest != "" || !strings.Contains(f.NoImage, "no image for linux/arm64") {
		t.Errorf("found for arm64 %+v; want no image, and why", f)
	}

	gotImg, gotIdx, err := p.Source(t.Context(), r, idxDigest)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := gotImg.Digest(); d != imgDigest || gotIdx == nil {
		t.Errorf("Source = image %s, index %v; want %s and the index", d, gotIdx, imgDigest)
	}
	a, err := p.Attested(t.Context(), ref, true, amd64)
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != idxDigest || a.Image != imgDigest || attest.Of(a.Statements, attest.PredicateSLSA1) == nil ||
		a.Annotations[oci.AnnotationInputDigest] == "" {
		t.Errorf("Attested = %+v", a)
	}
}
