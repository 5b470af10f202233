package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// leak is a blob of a parent's layers that a child's push uploaded again.
type leak struct {
	Image, Parent, Digest string
	Bytes                 int64
}

// layerDigests returns the layer digests of ref's manifest, read from the
// registry at addr directly (not through the proxy, so as not to count).
func layerDigests(ctx context.Context, addr, repo, tag string) (map[string]bool, error) {
	ref, err := name.ParseReference(addr+"/"+repo+":"+tag, name.Insecure)
	if err != nil {
		return nil, err
	}
	img, err := remote.Image(ref, remote.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", ref, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading the manifest of %q: %w", ref, err)
	}
	out := map[string]bool{}
	for _, l := range m.Layers {
		out[l.Digest.String()] = true
	}
	return out, nil
}

// findLeaks compares the blobs each child's repository received in t with
// the layers of its parent's pushed image, and returns those it uploaded
// again (none, when parent layers are mounted or found present).
func findLeaks(ctx context.Context, addr, ns string, family map[string]string, t *traffic) ([]leak, error) {
	var out []leak
	var names []string
	for img := range family {
		names = append(names, img)
	}
	sort.Strings(names)
	for _, img := range names {
		parent := family[img]
		rt := t.repos[ns+"/"+img]
		if parent == "" || rt == nil || len(rt.Uploaded) == 0 {
			continue
		}
		layers, err := layerDigests(ctx, addr, ns+"/"+parent, familyTag)
		if err != nil {
			return out, err
		}
		for d, n := range rt.Uploaded {
			if layers[d] {
				out = append(out, leak{Image: img, Parent: parent, Digest: d, Bytes: n})
			}
		}
	}
	return out, nil
}
