package publish

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// mountingImage is an image whose layers shared with its parent are
// remote.MountableLayers: the registry copies them from the parent's
// repository instead of receiving them again.
type mountingImage struct {
	v1.Image
	layers []v1.Layer
}

// Layers returns the image's layers, the shared ones mountable.
func (m *mountingImage) Layers() ([]v1.Layer, error) { return m.layers, nil }

// withParentMounts wraps it so the layers it shares with its parent are
// mounted from the parent's repository on the ref'th target. With no parent
// there it returns the image as it is.
func withParentMounts(it, parent *prepared, ref int) (v1.Image, error) {
	if parent == nil || ref >= len(parent.tags) {
		return it.Image, nil
	}
	from := parent.tags[ref].Context().Digest(parent.digest.String())
	shared := map[v1.Hash]bool{}
	for _, d := range parent.layers {
		shared[d] = true
	}
	layers, err := it.Image.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	out := make([]v1.Layer, len(layers))
	for i, l := range layers {
		out[i] = l
		if shared[it.layers[i]] {
			out[i] = &remote.MountableLayer{Layer: l, Reference: from}
		}
	}
	return &mountingImage{Image: it.Image, layers: out}, nil
}
