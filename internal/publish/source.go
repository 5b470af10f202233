package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// Source returns the image with manifest digest dgst in the repository of
// ref, to publish somewhere else (promotion): its manifest is read now,
// its blobs only if they are sent. Pushed to another repository of the
// same registry, every blob of it, the config too, is mounted from there
// and none passes through wsbuild; to another registry, each is streamed
// from one to the other.
func (p *Publisher) Source(ctx context.Context, ref oci.Ref, dgst v1.Hash) (v1.Image, error) {
	tag, err := parseTag(ref)
	if err != nil {
		return nil, err
	}
	d := tag.Context().Digest(dgst.String())
	img, err := remote.Image(d, p.remoteOptions(ctx)...)
	if err != nil {
		return nil, p.explain(err, "reading", d)
	}
	if _, err := img.Manifest(); err != nil {
		return nil, p.explain(err, "reading the manifest of", d)
	}
	return &sourceImage{Image: img, ref: d}, nil
}

// sourceImage is an image in a registry whose config, like its layers,
// mounts from its repository: go-containerregistry gives the config of a
// remote image as a plain layer, which it would upload again.
type sourceImage struct {
	v1.Image
	ref name.Digest
}

// ConfigLayer returns the config blob, mountable from the image's repository.
func (s *sourceImage) ConfigLayer() (v1.Layer, error) {
	l, err := partial.ConfigLayer(s.Image)
	if err != nil {
		return nil, fmt.Errorf("reading the config of %s: %w", s.ref, err)
	}
	h, err := l.Digest()
	if err != nil {
		return nil, err
	}
	return &remote.MountableLayer{Layer: l, Reference: s.ref.Context().Digest(h.String())}, nil
}
