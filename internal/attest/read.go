package attest

import (
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Select finds, in an index, the image for platform and the attestation
// manifest about it (nil when it has none). An index with no image for
// platform is an error naming the platforms it has.
func Select(m *v1.IndexManifest, platform v1.Platform) (img v1.Descriptor, att *v1.Descriptor, err error) {
	found := false
	var have []string
	for _, d := range m.Manifests {
		if d.Annotations[AnnotationReferenceType] == ReferenceTypeAttestation || d.Platform == nil {
			continue
		}
		have = append(have, d.Platform.String())
		if !found && samePlatform(*d.Platform, platform) {
			img, found = d, true
		}
	}
	if !found {
		return img, nil, fmt.Errorf("the index has no image for %s (it has %v)", platform.String(), have)
	}
	for _, d := range m.Manifests {
		if d.Annotations[AnnotationReferenceType] == ReferenceTypeAttestation &&
			d.Annotations[AnnotationReferenceDigest] == img.Digest.String() {
			return img, &d, nil
		}
	}
	return img, nil, nil
}

// samePlatform says whether have is want: the same OS and architecture,
// and the same variant when want names one.
func samePlatform(have, want v1.Platform) bool {
	return have.OS == want.OS && have.Architecture == want.Architecture &&
		(want.Variant == "" || have.Variant == want.Variant)
}

// Statements reads every in-toto statement of an attestation manifest.
func Statements(att v1.Image) ([]Statement, error) {
	m, err := att.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading the attestation manifest: %w", err)
	}
	var out []Statement
	for _, d := range m.Layers {
		if d.MediaType != MediaTypeInToto {
			continue
		}
		l, err := att.LayerByDigest(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("attestation %s: %w", d.Digest, err)
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, fmt.Errorf("reading attestation %s: %w", d.Digest, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxStatement+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("reading attestation %s: %w", d.Digest, err)
		}
		if len(data) > maxStatement {
			return nil, fmt.Errorf("attestation %s is larger than %d bytes", d.Digest, maxStatement)
		}
		var st Statement
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, fmt.Errorf("attestation %s is not an in-toto statement: %w", d.Digest, err)
		}
		out = append(out, st)
	}
	return out, nil
}

// maxStatement bounds what Statements reads of one statement.
const maxStatement = 64 << 20

// Of returns the statement of predicate type t among sts, or nil.
func Of(sts []Statement, t string) *Statement {
	for i := range sts {
		if sts[i].PredicateType == t {
			return &sts[i]
		}
	}
	return nil
}

// About says whether st's subjects include the image with digest d.
func (st *Statement) About(d v1.Hash) bool {
	for _, s := range st.Subject {
		if s.Digest[d.Algorithm] == d.Hex {
			return true
		}
	}
	return false
}

// Sole returns the one image an index lists besides attestation manifests,
// whatever its platform: the image of an index Attach made. An index of
// several images is an error.
func Sole(idx v1.ImageIndex) (v1.Image, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var images []v1.Descriptor
	for _, d := range m.Manifests {
		if d.Annotations[AnnotationReferenceType] != ReferenceTypeAttestation {
			images = append(images, d)
		}
	}
	if len(images) != 1 {
		return nil, fmt.Errorf("the index lists %d images besides attestations, not one", len(images))
	}
	return idx.Image(images[0].Digest)
}
