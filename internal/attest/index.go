package attest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// rawIndex is an OCI image index over images held by the caller: its
// bytes are fixed when it is made, so its digest is known at once.
type rawIndex struct {
	raw    []byte
	index  *v1.IndexManifest
	images map[v1.Hash]v1.Image
}

// newRawIndex is the OCI index of descs, whose images are in images.
func newRawIndex(descs []v1.Descriptor, images map[v1.Hash]v1.Image) (*rawIndex, error) {
	m := &v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: descs}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding the image index: %w", err)
	}
	return &rawIndex{raw: raw, index: m, images: images}, nil
}

func (r *rawIndex) MediaType() (types.MediaType, error)       { return types.OCIImageIndex, nil }
func (r *rawIndex) RawManifest() ([]byte, error)              { return r.raw, nil }
func (r *rawIndex) IndexManifest() (*v1.IndexManifest, error) { return r.index, nil }
func (r *rawIndex) Size() (int64, error)                      { return int64(len(r.raw)), nil }

func (r *rawIndex) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytesReader(r.raw))
	return h, err
}

func (r *rawIndex) Image(h v1.Hash) (v1.Image, error) {
	if img, ok := r.images[h]; ok {
		return img, nil
	}
	return nil, fmt.Errorf("image index has no image %s", h)
}

func (r *rawIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	return nil, fmt.Errorf("image index has no child index %s", h)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
