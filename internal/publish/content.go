package publish

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/containerd/containerd/v2/core/content"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// FromStore returns the image whose manifest desc describes, reading every
// blob from store lazily. BuildKit exports images into such a store.
func FromStore(ctx context.Context, store content.Provider, desc ocispec.Descriptor) (v1.Image, error) {
	raw, err := content.ReadBlob(ctx, store, desc)
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s: %w", desc.Digest, err)
	}
	core := &storeImage{ctx: ctx, store: store, raw: raw, mediaType: types.MediaType(desc.MediaType)}
	if core.manifest, err = v1.ParseManifest(bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("parsing manifest %s: %w", desc.Digest, err)
	}
	return partial.CompressedToImage(core)
}

// storeImage implements partial.CompressedImageCore over a content store.
type storeImage struct {
	ctx       context.Context
	store     content.Provider
	raw       []byte
	mediaType types.MediaType
	manifest  *v1.Manifest
}

func (s *storeImage) RawManifest() ([]byte, error)        { return s.raw, nil }
func (s *storeImage) MediaType() (types.MediaType, error) { return s.mediaType, nil }

func (s *storeImage) RawConfigFile() ([]byte, error) {
	return content.ReadBlob(s.ctx, s.store, ociDescriptor(s.manifest.Config))
}

func (s *storeImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if h == s.manifest.Config.Digest {
		return &storeBlob{s, s.manifest.Config}, nil
	}
	for _, l := range s.manifest.Layers {
		if l.Digest == h {
			return &storeBlob{s, l}, nil
		}
	}
	return nil, fmt.Errorf("blob %s is not in the image", h)
}

// storeBlob is one layer of a storeImage.
type storeBlob struct {
	img  *storeImage
	desc v1.Descriptor
}

func (b *storeBlob) Digest() (v1.Hash, error)            { return b.desc.Digest, nil }
func (b *storeBlob) Size() (int64, error)                { return b.desc.Size, nil }
func (b *storeBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }

func (b *storeBlob) Compressed() (io.ReadCloser, error) {
	ra, err := b.img.store.ReaderAt(b.img.ctx, ociDescriptor(b.desc))
	if err != nil {
		return nil, fmt.Errorf("opening blob %s: %w", b.desc.Digest, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(ra, 0, ra.Size()), ra}, nil
}

func ociDescriptor(d v1.Descriptor) ocispec.Descriptor {
	return ocispec.Descriptor{
		MediaType: string(d.MediaType),
		Digest:    digestOf(d.Digest),
		Size:      d.Size,
	}
}
