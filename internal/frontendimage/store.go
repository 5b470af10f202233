package frontendimage

import (
	"context"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// PushOption configures Push.
type PushOption func(*pushOptions)

type pushOptions struct {
	insecure bool
	keychain authn.Keychain
}

// WithInsecure lets Push talk plain HTTP to the registry (name.Insecure).
// Default: HTTPS, except that go-containerregistry itself falls back to plain
// HTTP for localhost, 127.0.0.1 and private (RFC 1918) addresses.
func WithInsecure() PushOption {
	return func(o *pushOptions) { o.insecure = true }
}

// WithKeychain sets where Push finds registry credentials. Default:
// authn.DefaultKeychain (the Docker config file).
func WithKeychain(k authn.Keychain) PushOption {
	return func(o *pushOptions) { o.keychain = k }
}

// Push uploads img to ref ("registry/repo:tag") with remote.Write and returns
// the pushed image's reference by digest (registry/repo@sha256:...).
func Push(ctx context.Context, img v1.Image, ref string, opts ...PushOption) (name.Digest, error) {
	o := pushOptions{keychain: authn.DefaultKeychain}
	for _, opt := range opts {
		opt(&o)
	}
	var nameOpts []name.Option
	if o.insecure {
		nameOpts = append(nameOpts, name.Insecure)
	}
	r, err := name.ParseReference(ref, nameOpts...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("parsing %q: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return name.Digest{}, fmt.Errorf("computing the digest for %q: %w", ref, err)
	}
	if err := remote.Write(r, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain)); err != nil {
		return name.Digest{}, fmt.Errorf("pushing %q: %w", ref, err)
	}
	return r.Context().Digest(d.String()), nil
}

// WriteLayout writes img into the OCI image layout at dir (created when
// missing, appended to when present), annotated with ref as its
// org.opencontainers.image.ref.name.
func WriteLayout(dir string, img v1.Image, ref string) error {
	p, err := layout.FromPath(dir)
	if err != nil {
		if p, err = layout.Write(dir, empty.Index); err != nil {
			return fmt.Errorf("creating the OCI layout %q: %w", dir, err)
		}
	}
	err = p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": ref,
	}))
	if err != nil {
		return fmt.Errorf("writing the frontend image into the OCI layout %q: %w", dir, err)
	}
	return nil
}

// WriteTarball writes img as a `docker load`-able tarball at path, tagged ref.
func WriteTarball(path string, img v1.Image, ref string) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("parsing %q: %w", ref, err)
	}
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("writing the frontend image to %q: %w", path, err)
	}
	return nil
}
