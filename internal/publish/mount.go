package publish

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/oci"
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

// ConfigLayer returns the wrapped image's config blob as it gives it: for
// an image read from a registry, a layer go-containerregistry mounts from
// there rather than sending it again.
func (m *mountingImage) ConfigLayer() (v1.Layer, error) { return partial.ConfigLayer(m.Image) }

// mountSource is an image whose layers a child may mount: one reference by
// digest per push target, in the targets' order, and its layer digests.
type mountSource struct {
	refs   []name.Digest
	layers []v1.Hash
}

// fromPrepared is the mount source of a parent pushed in the same run.
func fromPrepared(p *prepared) *mountSource {
	src := &mountSource{layers: p.layers}
	for _, t := range p.tags {
		src.refs = append(src.refs, t.Context().Digest(p.digest.String()))
	}
	return src
}

// fromFound is the mount source of a parent already pushed, as its tags
// hold it now; nil when a tag holds nothing.
func fromFound(found []Found, insecure []bool) (*mountSource, error) {
	src := &mountSource{}
	for i, f := range found {
		if !f.Exists {
			return nil, nil
		}
		tag, err := parseTag(oci.Ref{Name: f.Ref, Insecure: insecure[i]})
		if err != nil {
			return nil, err
		}
		src.refs = append(src.refs, tag.Context().Digest(f.Digest.String()))
		if i == 0 {
			src.layers = f.Layers
		}
	}
	return src, nil
}

// withParentMounts wraps it so the layers it shares with its parent are
// mounted from the parent's repository on the ref'th target. With no parent
// there it returns the image as it is.
func withParentMounts(it *prepared, parent *mountSource, ref int) (v1.Image, error) {
	if parent == nil || ref >= len(parent.refs) {
		return it.Image, nil
	}
	from := parent.refs[ref]
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
