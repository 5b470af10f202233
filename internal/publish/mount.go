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

// withParentMounts wraps img so the layers it shares with parent's ref'th
// target are mounted from there. With no parent it returns img.
func withParentMounts(img v1.Image, parent *Item, ref int) (v1.Image, error) {
	if parent == nil || ref >= len(parent.Refs) {
		return img, nil
	}
	from, err := parseTag(parent.Refs[ref])
	if err != nil {
		return nil, fmt.Errorf("parent %q: %w", parent.Name, err)
	}
	ph, err := parent.Image.Digest()
	if err != nil {
		return nil, fmt.Errorf("digest of parent %q: %w", parent.Name, err)
	}
	parentLayers, err := parent.Image.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers of parent %q: %w", parent.Name, err)
	}
	shared := map[v1.Hash]bool{}
	for _, l := range parentLayers {
		d, err := l.Digest()
		if err != nil {
			return nil, fmt.Errorf("layer digest of parent %q: %w", parent.Name, err)
		}
		shared[d] = true
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	out := make([]v1.Layer, len(layers))
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, fmt.Errorf("layer digest: %w", err)
		}
		out[i] = l
		if shared[d] {
			out[i] = &remote.MountableLayer{Layer: l, Reference: from.Context().Digest(ph.String())}
		}
	}
	return &mountingImage{Image: img, layers: out}, nil
}
