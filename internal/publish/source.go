package publish

import (
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// Source returns the image with manifest digest dgst in the repository of
// ref, to publish somewhere else (promotion): its manifest is read now,
// its blobs only if they are sent. Every blob of it, the config too, is a
// remote.MountableLayer: pushed to another repository of the same
// registry it is mounted from there and none passes through wsbuild; to
// another registry, each is streamed from one to the other.
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
	return img, nil
}
