package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// FromRegistry returns the image with manifest digest dgst in the
// repository of ref, as buildkitd pushed it by digest: its manifest and
// config are read now, its layers only if something reads them. Pushing it
// to that repository again sends no blob, and to another repository of the
// same registry mounts each blob from there. Credentials come from kc, the
// run's (see package creds).
func FromRegistry(ctx context.Context, ref oci.Ref, dgst string, kc authn.Keychain) (v1.Image, error) {
	var opts []name.Option
	if ref.Insecure {
		opts = append(opts, name.Insecure)
	}
	d, err := name.NewDigest(ref.ByDigest(dgst), opts...)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", ref.ByDigest(dgst), err)
	}
	img, err := remote.Image(d, remote.WithContext(ctx), remote.WithAuthFromKeychain(kc))
	if err != nil {
		return nil, fmt.Errorf("reading the image buildkitd pushed to %s: %w", d, err)
	}
	if _, err := img.ConfigFile(); err != nil {
		return nil, fmt.Errorf("reading the config of the image buildkitd pushed to %s: %w", d, err)
	}
	return img, nil
}
