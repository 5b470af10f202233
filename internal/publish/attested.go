package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/attest"
)

// Attested is an image as a reference holds it, with what is attested
// about it.
type Attested struct {
	// Ref is the reference read.
	Ref string
	// Digest is what Ref holds: an index, or an image manifest.
	Digest v1.Hash
	// Image is the digest of the image manifest for the platform asked for.
	Image v1.Hash
	// Annotations are the image manifest's.
	Annotations map[string]string
	// Statements are the in-toto statements of the attestation manifest
	// about Image; none when Ref holds no index, or the index has none.
	Statements []attest.Statement
}

// Attested reads the image ref (a tag or a digest reference) holds for
// platform, and the statements attested about it.
func (p *Publisher) Attested(ctx context.Context, ref string, insecure bool, platform v1.Platform) (Attested, error) {
	out := Attested{Ref: ref}
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return out, fmt.Errorf("parsing %q: %w", ref, err)
	}
	ropts := p.remoteOptions(ctx)
	desc, err := remote.Get(r, ropts...)
	if err != nil {
		return out, p.explain(err, "reading", r)
	}
	out.Digest, out.Image = desc.Digest, desc.Digest
	var img v1.Image
	if !desc.MediaType.IsIndex() {
		if img, err = desc.Image(); err != nil {
			return out, p.explain(err, "reading the image at", r)
		}
	} else {
		idx, err := desc.ImageIndex()
		if err != nil {
			return out, p.explain(err, "reading the index at", r)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return out, fmt.Errorf("reading the index at %s: %w", r, err)
		}
		imgDesc, attDesc, err := attest.Select(m, platform)
		if err != nil {
			return out, fmt.Errorf("%s: %w", r, err)
		}
		out.Image = imgDesc.Digest
		if img, err = idx.Image(imgDesc.Digest); err != nil {
			return out, p.explain(err, "reading the image in", r)
		}
		if attDesc != nil {
			att, err := idx.Image(attDesc.Digest)
			if err != nil {
				return out, p.explain(err, "reading the attestation manifest in", r)
			}
			if out.Statements, err = attest.Statements(att); err != nil {
				return out, fmt.Errorf("%s: %w", r, err)
			}
		}
	}
	m, err := img.Manifest()
	if err != nil {
		return out, p.explain(err, "reading the image manifest at", r)
	}
	out.Annotations = m.Annotations
	return out, nil
}
