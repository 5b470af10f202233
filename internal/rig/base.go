package rig

import (
	"compress/gzip"
	"context"
	"fmt"
	"runtime"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// BaseTag is the tag of the base image in BaseRepo.
const BaseTag = "bookworm"

// BaseRef returns the reference of the base image in the registry at addr,
// "addr/library/debian:bookworm".
func BaseRef(addr string) string {
	return addr + "/" + BaseRepo + ":" + BaseTag
}

// baseEnv is the environment of the official debian images.
var baseEnv = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

// baseImage makes a one-layer OCI image of the root filesystem tarball at path.
func baseImage(path string) (v1.Image, error) {
	layer, err := tarball.LayerFromFile(path,
		tarball.WithMediaType(types.OCILayer),
		tarball.WithCompressionLevel(gzip.BestSpeed),
		tarball.WithCompressedCaching) // compress once, not for the digest and again to upload
	if err != nil {
		return nil, fmt.Errorf("reading the base tarball %q: %w", path, err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, MediaType: types.OCILayer})
	if err != nil {
		return nil, fmt.Errorf("adding the base tarball %q as a layer: %w", path, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture = runtime.GOARCH
	cf.OS = "linux"
	cf.Config.Env = baseEnv
	cf.Config.Cmd = []string{"bash"}
	return mutate.ConfigFile(img, cf)
}

// pushBase pushes the tarball at path as BaseRef(addr), unless that tag already exists.
func pushBase(ctx context.Context, addr, path string) error {
	ref, err := name.ParseReference(BaseRef(addr), name.Insecure)
	if err != nil {
		return fmt.Errorf("parsing %q: %w", BaseRef(addr), err)
	}
	if _, err := remote.Head(ref, remote.WithContext(ctx)); err == nil {
		return nil
	}
	img, err := baseImage(path)
	if err != nil {
		return err
	}
	if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("pushing %q: %w", ref, err)
	}
	return nil
}
