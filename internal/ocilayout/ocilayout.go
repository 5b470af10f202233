// Package ocilayout writes images to OCI image layouts, as a folder or a
// tarball of one, and reads them back: the files that carry a family to a
// platform with no network. Manifests and blobs keep their bytes, so
// digests survive the trip. Each image's descriptor in index.json carries
// its repository and tag, REPOSITORY:TAG, as org.opencontainers.image.ref.name
// (unique in a layout of several images, and what a base names with
// oci-layout:FILE:REPOSITORY:TAG), its whole reference as
// io.containerd.image.name, and where in the family it belongs (its name,
// parent and repository), so that an import can push it under another
// registry and namespace, parents first.
package ocilayout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/attest"
)

// Annotations on each image's descriptor in index.json.
const (
	// AnnotationName is the image's name in the spec.
	AnnotationName = "io.wsbuild.name"
	// AnnotationParent is the name of the family image it is built on.
	AnnotationParent = "io.wsbuild.parent"
	// AnnotationRepository is its repository under the namespace.
	AnnotationRepository = "io.wsbuild.repository"
	// AnnotationImageName is its whole reference where it came from, as
	// containerd and BuildKit write it.
	AnnotationImageName = "io.containerd.image.name"
)

// Entry is one tag of one image in a layout.
type Entry struct {
	// Name is the image's name in the spec.
	Name string
	// Parent is the name of the family image it is built on; "" for none.
	Parent string
	// Repository is its repository, under a registry and a namespace.
	Repository string
	// Tag is its tag.
	Tag string
	// Ref is the reference it was read from, "REGISTRY/NS/REPO:TAG".
	Ref string
	// Image is the image.
	Image v1.Image
	// Index, when not nil, is what the tag holds: an index of Image and
	// its attestations (see package attest), written in Image's place.
	Index v1.ImageIndex
}

// Write writes entries to path, in order: a tarball when path ends in
// .tar, else a folder, which must not exist or be empty. A blob that
// several images share is written once. The layout is written next to
// path and moved there once complete, so a failed or interrupted export
// leaves nothing at path.
func Write(path string, entries []Entry) (err error) {
	if !IsTarball(path) {
		if names, err := os.ReadDir(path); err == nil && len(names) > 0 {
			return fmt.Errorf("writing %s: the folder is not empty", path)
		}
	}
	dir, err := os.MkdirTemp(filepath.Dir(path), ".wsbuild-export-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	if err := writeLayout(dir, path, entries); err != nil {
		return err
	}
	if IsTarball(path) {
		return tarFolder(dir, path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	if err := os.Rename(dir, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeLayout writes entries as an OCI layout into the folder dir, for path.
func writeLayout(dir, path string, entries []Entry) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	for _, e := range entries {
		a := map[string]string{
			ocispec.AnnotationRefName: e.Repository + ":" + e.Tag, AnnotationImageName: e.Ref,
			AnnotationName: e.Name, AnnotationRepository: e.Repository,
		}
		if e.Parent != "" {
			a[AnnotationParent] = e.Parent
		}
		var err error
		if e.Index != nil {
			err = p.AppendIndex(e.Index, layout.WithAnnotations(a))
		} else {
			err = p.AppendImage(e.Image, layout.WithAnnotations(a))
		}
		if err != nil {
			return fmt.Errorf("writing %s of %q to %s: %w", e.Ref, e.Name, path, err)
		}
	}
	return nil
}

// tagOf is the tag of a ref.name export wrote, REPOSITORY:TAG.
func tagOf(refName string) string {
	_, tag, _ := strings.Cut(refName, ":")
	return tag
}

// IsTarball reports whether path names a tarball rather than a folder.
func IsTarball(path string) bool { return strings.HasSuffix(path, ".tar") }

// folder returns the folder holding the layout at path: path itself, or a
// tarball unpacked into a temporary folder that cleanup removes.
func folder(path string) (dir string, cleanup func() error, err error) {
	if !IsTarball(path) {
		return path, func() error { return nil }, nil
	}
	if dir, err = untar(path); err != nil {
		return "", nil, err
	}
	return dir, func() error { return os.RemoveAll(dir) }, nil
}

// Open reads the layout at path, a folder or a tarball: its images in the
// order index.json lists them. A tarball is unpacked into a temporary
// folder that done removes; call done when the images are no longer read.
func Open(path string) (entries []Entry, done func() error, err error) {
	dir, cleanup, err := folder(path)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = cleanup()
		}
	}()
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading OCI layout %s: %w", path, err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, nil, fmt.Errorf("reading OCI layout %s: %w", path, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s/index.json: %w", path, err)
	}
	for i, d := range m.Manifests {
		if !d.MediaType.IsImage() && !d.MediaType.IsIndex() {
			return nil, nil, fmt.Errorf("%s: index.json entry %d is a %s, not an image manifest or index", path, i+1, d.MediaType)
		}
		e := Entry{Name: d.Annotations[AnnotationName], Parent: d.Annotations[AnnotationParent],
			Repository: d.Annotations[AnnotationRepository], Tag: tagOf(d.Annotations[ocispec.AnnotationRefName]),
			Ref: d.Annotations[AnnotationImageName]}
		if e.Name == "" || e.Repository == "" || e.Tag == "" {
			return nil, nil, fmt.Errorf("%s: index.json entry %d (%s) lacks %s, %s or %s: it was not written by wsbuild export",
				path, i+1, d.Digest, AnnotationName, AnnotationRepository, ocispec.AnnotationRefName)
		}
		if e.Image, e.Index, err = entryImage(idx, d); err != nil {
			return nil, nil, fmt.Errorf("%s: reading image %s: %w", path, d.Digest, err)
		}
		entries = append(entries, e)
	}
	return entries, cleanup, nil
}

// entryImage reads the image index.json's entry d holds: an image, or an
// index of one image and its attestations.
func entryImage(idx v1.ImageIndex, d v1.Descriptor) (v1.Image, v1.ImageIndex, error) {
	if !d.MediaType.IsIndex() {
		img, err := idx.Image(d.Digest)
		return img, nil, err
	}
	child, err := idx.ImageIndex(d.Digest)
	if err != nil {
		return nil, nil, err
	}
	img, err := attest.Sole(child)
	return img, child, err
}
