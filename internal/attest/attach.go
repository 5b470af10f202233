package attest

import (
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/moby/buildkit/util/purl"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// unknownPlatform is the platform of an attestation manifest in an index.
var unknownPlatform = v1.Platform{OS: "unknown", Architecture: "unknown"}

// Attach returns the index a tag holds for img with preds attested about
// it: img for platform, then an attestation manifest with one in-toto
// statement per predicate, whose subjects are img's digest under each of
// names (image references, written as BuildKit writes them: Docker package
// URLs with the platform). The result is deterministic: the same image,
// names and predicates give the same index digest.
func Attach(img v1.Image, platform v1.Platform, names []string, preds []Predicate) (v1.ImageIndex, error) {
	imgDesc, err := partial.Descriptor(img)
	if err != nil {
		return nil, fmt.Errorf("describing the image: %w", err)
	}
	imgDesc.Platform = &platform
	imgDesc.Annotations = nil
	subjects, err := subjectsOf(imgDesc.Digest, platform, names)
	if err != nil {
		return nil, err
	}
	var layers []v1.Layer
	for _, p := range preds {
		st, err := json.Marshal(Statement{Type: StatementType, PredicateType: p.Type, Subject: subjects, Predicate: p.Body})
		if err != nil {
			return nil, fmt.Errorf("encoding the %s statement: %w", p.Type, err)
		}
		layers = append(layers, static.NewLayer(st, MediaTypeInToto))
	}
	att, err := newRawImage(layers, preds)
	if err != nil {
		return nil, err
	}
	attDesc, err := partial.Descriptor(att)
	if err != nil {
		return nil, err
	}
	attDesc.Platform = &unknownPlatform
	attDesc.Annotations = map[string]string{
		AnnotationReferenceType:   ReferenceTypeAttestation,
		AnnotationReferenceDigest: imgDesc.Digest.String(),
	}
	return newRawIndex([]v1.Descriptor{*imgDesc, *attDesc}, map[v1.Hash]v1.Image{imgDesc.Digest: img, attDesc.Digest: att})
}

// subjectsOf names the image with digest d under each of names.
func subjectsOf(d v1.Hash, platform v1.Platform, names []string) ([]Subject, error) {
	p := ocispec.Platform{OS: platform.OS, Architecture: platform.Architecture, Variant: platform.Variant}
	var out []Subject
	for _, n := range names {
		u, err := purl.RefToPURL("docker", n, &p)
		if err != nil {
			return nil, fmt.Errorf("naming %q in an attestation: %w", n, err)
		}
		out = append(out, Subject{Name: u, Digest: map[string]string{d.Algorithm: d.Hex}})
	}
	if len(out) == 0 {
		out = []Subject{{Name: "_", Digest: map[string]string{d.Algorithm: d.Hex}}}
	}
	return out, nil
}

// newRawImage is the attestation manifest over layers (one per predicate,
// in order): OCI types, and a config of platform unknown/unknown listing
// the layers' digests, as BuildKit's attestationsConfig writes it.
func newRawImage(layers []v1.Layer, preds []Predicate) (v1.Image, error) {
	cfg := ocispec.Image{Platform: ocispec.Platform{OS: "unknown", Architecture: "unknown"}}
	cfg.RootFS.Type = "layers"
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1}
	byDigest := map[v1.Hash]v1.Layer{}
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		size, err := l.Size()
		if err != nil {
			return nil, err
		}
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, digest.Digest(d.String()))
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: MediaTypeInToto, Size: size, Digest: d,
			Annotations: map[string]string{AnnotationPredicateType: preds[i].Type}})
		byDigest[d] = l
	}
	rawCfg, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	cfgDigest, cfgSize, err := v1.SHA256(bytesReader(rawCfg))
	if err != nil {
		return nil, err
	}
	m.Config = v1.Descriptor{MediaType: types.OCIConfigJSON, Size: cfgSize, Digest: cfgDigest}
	rawManifest, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&rawImage{manifest: rawManifest, config: rawCfg, layers: byDigest})
}

// rawImage is an image made of bytes held in memory.
type rawImage struct {
	manifest, config []byte
	layers           map[v1.Hash]v1.Layer
}

func (r *rawImage) RawManifest() ([]byte, error)        { return r.manifest, nil }
func (r *rawImage) RawConfigFile() ([]byte, error)      { return r.config, nil }
func (r *rawImage) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

func (r *rawImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := r.layers[h]; ok {
		return l, nil
	}
	if cfg, _, err := v1.SHA256(bytesReader(r.config)); err == nil && cfg == h {
		return static.NewLayer(r.config, types.OCIConfigJSON), nil
	}
	return nil, fmt.Errorf("attestation manifest has no blob %s", h)
}
