package ocilayout

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// ResolveBase finds the base ref names (see oci.ParseLayoutBase) in its layout, PATH
// relative to dir: by digest when ref has one (a lock file's pin), else by
// tag (the org.opencontainers.image.ref.name of an index.json entry), else
// the layout's only entry; an entry that is an index gives its image for
// platform. The Base it returns is pinned by digest, with its config, and
// names the layout's folder; a tarball is unpacked into a temporary folder
// that done removes once the build no longer reads it.
func ResolveBase(dir, ref string, platform ocispec.Platform) (_ oci.Base, done func() error, err error) {
	path, tag, pinned, err := oci.ParseLayoutBase(ref)
	if err != nil {
		return oci.Base{}, nil, err
	}
	full, err := inside(dir, path)
	if err != nil {
		return oci.Base{}, nil, fmt.Errorf("base %s: %w", ref, err)
	}
	folder, cleanup, err := folder(full)
	if err != nil {
		return oci.Base{}, nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, cleanup())
		}
	}()
	img, err := findImage(folder, tag, pinned, platform)
	if err != nil {
		return oci.Base{}, nil, fmt.Errorf("base %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return oci.Base{}, nil, err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return oci.Base{}, nil, fmt.Errorf("base %s: reading its config: %w", ref, err)
	}
	unpinned, _, _ := strings.Cut(ref, "@")
	return oci.Base{Ref: unpinned + "@" + d.String(), Digest: digest.Digest(d.String()), Config: cfg, Layout: folder}, cleanup, nil
}

// inside returns dir/rel, which must stay inside dir, links resolved.
func inside(dir, rel string) (string, error) {
	if err := oci.CheckLayoutPath(rel); err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	full, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return "", err
	}
	if r, err := filepath.Rel(root, full); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%q leads out of the spec's folder", rel)
	}
	return full, nil
}

// findImage picks the image of the layout in folder, as ResolveBase says.
func findImage(folder, tag string, pinned digest.Digest, platform ocispec.Platform) (v1.Image, error) {
	p, err := layout.FromPath(folder)
	if err != nil {
		return nil, fmt.Errorf("reading the OCI layout: %w", err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading the OCI layout: %w", err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading its index.json: %w", err)
	}
	var picked []v1.Descriptor
	var names []string
	for _, d := range m.Manifests {
		if tag != "" && d.Annotations[ocispec.AnnotationRefName] != tag {
			continue
		}
		names = append(names, d.Annotations[ocispec.AnnotationRefName])
		if !slices.ContainsFunc(picked, func(p v1.Descriptor) bool { return p.Digest == d.Digest }) {
			picked = append(picked, d)
		}
	}
	switch {
	case len(picked) == 0:
		return nil, fmt.Errorf("no image tagged %q in its index.json", tag)
	case len(picked) > 1 && pinned == "":
		return nil, fmt.Errorf("its index.json lists %d images (%s); name one with :TAG, its org.opencontainers.image.ref.name", len(picked), strings.Join(names, ", "))
	}
	for _, d := range picked {
		if d.MediaType.IsIndex() {
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, err
			}
			img, err := platformImage(child, platform, pinned)
			if err != nil || img != nil {
				return img, err
			}
			continue
		}
		if pinned == "" || d.Digest.String() == pinned.String() {
			return idx.Image(d.Digest)
		}
	}
	if pinned != "" {
		return nil, fmt.Errorf("the layout no longer holds %s, which the lock file pins; run wsbuild lock", pinned)
	}
	return nil, fmt.Errorf("no image for %s in its index", platforms.Format(platform))
}

// platformImage returns the image of index for platform (with digest
// pinned when given), the best match as containerd and BuildKit pick it,
// or nil when it has none.
func platformImage(index v1.ImageIndex, platform ocispec.Platform, pinned digest.Digest) (v1.Image, error) {
	m, err := index.IndexManifest()
	if err != nil {
		return nil, err
	}
	match := platforms.Only(platform)
	var best *v1.Descriptor
	for i, d := range m.Manifests {
		if d.Platform == nil || (pinned != "" && d.Digest.String() != pinned.String()) {
			continue
		}
		p := ocispec.Platform{OS: d.Platform.OS, Architecture: d.Platform.Architecture, Variant: d.Platform.Variant}
		if match.Match(p) && (best == nil || match.Less(p, ocispec.Platform{OS: best.Platform.OS, Architecture: best.Platform.Architecture, Variant: best.Platform.Variant})) {
			best = &m.Manifests[i]
		}
	}
	if best == nil {
		return nil, nil
	}
	return index.Image(best.Digest)
}
