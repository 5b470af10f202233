package attest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

var amd64 = v1.Platform{OS: "linux", Architecture: "amd64"}

func attached(t *testing.T) (v1.Image, v1.ImageIndex) {
	t.Helper()
	img, err := random.Image(64, 2)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	preds := []Predicate{
		{Type: PredicateSPDX, Body: json.RawMessage(`{"spdxVersion":"SPDX-2.3"}`)},
		{Type: PredicateSLSA1, Body: json.RawMessage(`{"buildDefinition":{}}`)},
	}
	idx, err := Attach(img, amd64, []string{"127.0.0.1:5000/team/python:3.11"}, preds)
	if err != nil {
		t.Fatal(err)
	}
	return img, idx
}

// TestAttach writes the index BuildKit writes: the image for its
// platform, then an attestation manifest about it whose layers are
// statements with the image's digest as subject.
func TestAttach(t *testing.T) {
	img, idx := attached(t)
	raw, _ := idx.RawManifest()
	if d, _ := idx.Digest(); d.String() != digestString(raw) {
		t.Errorf("index digest %s is not the digest of its bytes", d)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if len(m.Manifests) != 2 || m.Manifests[0].Digest != want || m.Manifests[0].Platform.String() != "linux/amd64" {
		t.Fatalf("index manifests = %+v, want the image for linux/amd64 first", m.Manifests)
	}
	a := m.Manifests[1]
	if a.Platform.String() != "unknown/unknown" || a.Annotations[AnnotationReferenceType] != ReferenceTypeAttestation ||
		a.Annotations[AnnotationReferenceDigest] != want.String() {
		t.Errorf("attestation descriptor = %+v", a)
	}
	gotImg, att, err := Select(m, amd64)
	if err != nil || gotImg.Digest != want || att == nil || att.Digest != a.Digest {
		t.Fatalf("Select = %v, %v, %v", gotImg.Digest, att, err)
	}
	attImg, err := idx.Image(att.Digest)
	if err != nil {
		t.Fatal(err)
	}
	sts, err := Statements(attImg)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 2 || Of(sts, PredicateSPDX) == nil || Of(sts, PredicateSLSA1) == nil {
		t.Fatalf("statements = %+v", sts)
	}
	for _, st := range sts {
		if !st.About(want) || st.Type != StatementType {
			t.Errorf("statement %s is not about %s: %+v", st.PredicateType, want, st.Subject)
		}
		if !strings.HasPrefix(st.Subject[0].Name, "pkg:docker/127.0.0.1%3A5000/team/python@3.11?platform=linux%2Famd64") {
			t.Errorf("subject name = %q", st.Subject[0].Name)
		}
	}
	am, _ := attImg.Manifest()
	if am.Layers[0].Annotations[AnnotationPredicateType] != PredicateSPDX || am.Layers[0].MediaType != MediaTypeInToto {
		t.Errorf("first attestation layer = %+v", am.Layers[0])
	}
	cfg, err := attImg.ConfigFile()
	if err != nil || cfg.OS != "unknown" || cfg.Architecture != "unknown" || len(cfg.RootFS.DiffIDs) != 2 {
		t.Fatalf("attestation config = %+v, %v", cfg, err)
	}
	// Every layer is the bytes its descriptor names, and the config lists
	// them as its diff IDs, as BuildKit's attestationsConfig does.
	for i, d := range am.Layers {
		l, err := attImg.LayerByDigest(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if digestString(data) != d.Digest.String() || int64(len(data)) != d.Size || cfg.RootFS.DiffIDs[i] != d.Digest {
			t.Errorf("layer %d: %d bytes hashing to %s; descriptor %s (%d bytes), diff ID %s", i, len(data), digestString(data), d.Digest, d.Size, cfg.RootFS.DiffIDs[i])
		}
	}
}

// TestAttachDeterministic: the same inputs give the same index digest, and
// another predicate another one.
func TestAttachDeterministic(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	digestOf := func(body string) v1.Hash {
		idx, err := Attach(img, amd64, []string{"r/x:1"}, []Predicate{{Type: PredicateSPDX, Body: json.RawMessage(body)}})
		if err != nil {
			t.Fatal(err)
		}
		d, err := idx.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if a, b := digestOf(`{"a":1}`), digestOf(`{"a":1}`); a != b {
		t.Errorf("two digests for the same inputs: %s, %s", a, b)
	}
	if a, b := digestOf(`{"a":1}`), digestOf(`{"a":2}`); a == b {
		t.Errorf("one digest for different predicates: %s", a)
	}
}

// TestSelectNoPlatform names the platforms an index has when it lacks
// the one asked for.
func TestSelectNoPlatform(t *testing.T) {
	_, idx := attached(t)
	m, _ := idx.IndexManifest()
	_, _, err := Select(m, v1.Platform{OS: "linux", Architecture: "arm64"})
	if err == nil || !strings.Contains(err.Error(), "no image for linux/arm64") || !strings.Contains(err.Error(), "linux/amd64") {
		t.Errorf("Select(arm64) = %v", err)
	}
}

func digestString(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
