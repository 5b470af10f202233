package publish

import (
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// Source returns what digest dgst names in the repository of ref, to
// publish somewhere else (promotion): the image, and, when dgst is an
// index of the image and its attestations (see package attest), that index
// (else nil), to push in its place. Its manifest is read now,
// its blobs only if they are sent. Every blob of it, the config too, is a
// remote.MountableLayer: pushed to another repository of the same
// registry it is mounted from there and none passes through wsbuild; to
// another registry, each is streamed from one to the other.
func (p *Publisher) Source(ctx context.Context, ref oci.Ref, dgst v1.Hash) (v1.Image, v1.ImageIndex, error) {
	tag, err := parseTag(ref)
	if err != nil {
		return nil, nil, err
	}
	d := tag.Context().Digest(dgst.String())
	desc, err := remote.Get(d, p.remoteOptions(ctx)...)
	if err != nil {
		return nil, nil, p.explain(err, "reading", d)
	}
	var idx v1.ImageIndex
	var img v1.Image
	if desc.MediaType.IsIndex() {
		if idx, err = desc.ImageIndex(); err == nil {
			img, err = attest.Sole(idx)
		}
	} else {
		img, err = desc.Image()
	}
	if err != nil {
		return nil, nil, p.explain(err, "reading", d)
	}
	if _, err := img.Manifest(); err != nil {
		return nil, nil, p.explain(err, "reading the manifest of", d)
	}
	return img, idx, nil
}
