package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/oci"
	"golang.org/x/sync/errgroup"
)

// lookupJobs bounds the registry requests Lookup has in flight.
const lookupJobs = 16

// Found is what a registry holds at one tag.
type Found struct {
	// Ref is the tag looked up.
	Ref string
	// Exists is false when the registry has no such tag (or repository).
	Exists bool
	// Digest is the digest of what the tag holds: an image manifest, or an
	// image index (an image with its attestations, see package attest).
	Digest v1.Hash
	// Image is the image manifest's digest: Digest, or, for an index, that
	// of the image for the platform Lookup was asked about. Every field
	// below is the image manifest's.
	Image v1.Hash
	// Attestation is the digest of the index's attestation manifest about
	// Image; zero when there is none.
	Attestation v1.Hash
	// NoImage says why, when the tag holds an index with no image for the
	// platform asked about (naming the platforms it has); Image is zero then.
	NoImage string
	// MediaType and Size are the media type and size of what the tag holds.
	MediaType types.MediaType
	Size      int64
	// Config is the digest of the image's config.
	Config v1.Hash
	// InputDigest is the input digest the image was built from; empty when
	// the manifest carries none (not built by wsbuild), or the index has
	// no image for the platform.
	InputDigest digest.Digest
	// Inputs is the digest of each named input, when the manifest has them.
	Inputs map[string]digest.Digest
	// Values is the canonical JSON of named inputs, when the manifest has
	// them (see plan.InputValues); nil for an image pushed without. A value
	// is to be trusted only when its digest is the one in Inputs.
	Values map[string]json.RawMessage
	// Layers are the manifest's layer digests, in order.
	Layers []v1.Hash
}

// Lookup fetches the manifest at every ref, concurrently, and reads the
// input digest wsbuild annotated it with; where a ref holds an index, the
// image in it for platform. A missing tag or repository is not an error
// (Found.Exists is false); any other failure is.
func (p *Publisher) Lookup(ctx context.Context, refs []oci.Ref, platform v1.Platform) ([]Found, error) {
	out := make([]Found, len(refs))
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(lookupJobs)
	for i, r := range refs {
		eg.Go(func() error {
			f, err := p.lookupOne(ctx, r, platform)
			out[i] = f
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func (p *Publisher) lookupOne(ctx context.Context, r oci.Ref, platform v1.Platform) (Found, error) {
	found := Found{Ref: r.Name}
	tag, err := parseTag(r)
	if err != nil {
		return found, err
	}
	desc, err := remote.Get(tag, p.remoteOptions(ctx)...)
	if isNotFound(err) {
		return found, nil
	}
	if err != nil {
		return found, p.explain(err, "looking up", tag)
	}
	found.Exists, found.Digest, found.MediaType, found.Size = true, desc.Digest, desc.MediaType, desc.Size
	found.Image = desc.Digest
	raw := desc.Manifest
	if desc.MediaType.IsIndex() {
		idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return found, fmt.Errorf("looking up %q: parsing its index: %w", r.Name, err)
		}
		img, att, err := attest.Select(idx, platform)
		if err != nil {
			found.Image, found.NoImage = v1.Hash{}, err.Error()
			return found, nil // another image: nothing of it compares
		}
		found.Image = img.Digest
		if att != nil {
			found.Attestation = att.Digest
		}
		d := tag.Context().Digest(img.Digest.String())
		got, err := remote.Get(d, p.remoteOptions(ctx)...)
		if err != nil {
			return found, p.explain(err, "looking up", d)
		}
		raw = got.Manifest
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return found, fmt.Errorf("looking up %q: parsing its manifest: %w", r.Name, err)
	}
	found.Config = m.Config.Digest
	for _, l := range m.Layers {
		found.Layers = append(found.Layers, l.Digest)
	}
	found.InputDigest = digest.Digest(m.Annotations[oci.AnnotationInputDigest])
	if raw := m.Annotations[oci.AnnotationInputs]; raw != "" {
		// A malformed list only loses the explanation, not the decision.
		_ = json.Unmarshal([]byte(raw), &found.Inputs)
	}
	if raw := m.Annotations[oci.AnnotationInputValues]; raw != "" {
		// Likewise: without values, a change is named but not shown.
		if err := json.Unmarshal([]byte(raw), &found.Values); err != nil {
			found.Values = nil
		}
	}
	return found, nil
}

// isNotFound tells a missing tag or repository from other registry errors.
func isNotFound(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	if te.StatusCode == http.StatusNotFound {
		return true
	}
	for _, d := range te.Errors {
		switch d.Code {
		case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode:
			return true
		}
	}
	return false
}
