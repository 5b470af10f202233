// Package resolve looks up base images in their registries with
// go-containerregistry, so that planning needs no buildkitd. It honours what
// buildkitd would: the registry mirrors and the http/insecure/ca settings of
// a buildkitd.toml (the one in $WSBUILD_BUILDKITD_CONFIG by default), and
// the user's credentials from the Docker config and its credential helpers.
//
// Its results equal those of buildkitd's resolver (internal/solve) for the
// same reference and platform, so input digests do not depend on which of
// the two resolved a base: the digest is that of what the tag names (the
// index, for a multi-platform image), the reference is pinned to it, and the
// config is the one of the manifest buildkit picks for the platform.
package resolve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/wsbuild/wsbuild/internal/oci"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// EnvConfig names the buildkitd.toml whose registry settings apply by
// default; it is the variable internal/buildkitd passes to the private
// buildkitd.
const EnvConfig = "WSBUILD_BUILDKITD_CONFIG"

// maxParallel bounds how many bases are looked up at once.
const maxParallel = 4

// Resolver looks up base images. Its ResolveBases has the signature of the
// buildkitd-backed one in internal/solve, and may stand in for it.
type Resolver struct {
	config   Config
	keychain authn.Keychain
}

// Option configures New.
type Option func(*options) error

type options struct {
	config     Config
	configSet  bool
	configFile string
	fileSet    bool
	keychain   authn.Keychain
}

// WithConfig uses the registry settings c (see ParseConfig) instead of
// reading a file.
//
// Default: the settings of the file named by WithConfigFile.
func WithConfig(c Config) Option {
	return func(o *options) error {
		o.config, o.configSet = c, true
		return nil
	}
}

// WithConfigFile reads the registry settings from the buildkitd.toml at
// path; an empty path means none (every registry as named, over HTTPS, or
// plain HTTP for loopback addresses).
//
// Default: the file named by the WSBUILD_BUILDKITD_CONFIG environment
// variable, else none.
func WithConfigFile(path string) Option {
	return func(o *options) error {
		o.configFile, o.fileSet = path, true
		return nil
	}
}

// WithKeychain sets where registry credentials come from.
//
// Default: authn.DefaultKeychain (the Docker config and its credential
// helpers, as buildkitd gets them from wsbuild).
func WithKeychain(kc authn.Keychain) Option {
	return func(o *options) error {
		if kc == nil {
			return errors.New("WithKeychain: nil keychain")
		}
		o.keychain = kc
		return nil
	}
}

// New returns a Resolver configured by opts.
func New(opts ...Option) (*Resolver, error) {
	o := options{keychain: authn.DefaultKeychain}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	r := &Resolver{config: o.config, keychain: o.keychain}
	if !o.configSet {
		if !o.fileSet {
			o.configFile = os.Getenv(EnvConfig)
		}
		r.config = Config{}
		if o.configFile != "" {
			c, err := loadConfigFile(o.configFile)
			if err != nil {
				return nil, err
			}
			r.config = c
		}
	}
	return r, nil
}

// ResolveBases looks up every reference in refs for platform and returns
// each pinned by digest with its config, keyed by the reference as given.
func (r *Resolver) ResolveBases(ctx context.Context, refs []string, platform ocispec.Platform) (map[string]wsllb.Base, error) {
	bases := map[string]wsllb.Base{}
	var mu sync.Mutex
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(maxParallel)
	for _, ref := range refs {
		eg.Go(func() error {
			base, err := r.resolve(ctx, ref, platform)
			if err != nil {
				return &oci.BaseError{Ref: ref, Err: err}
			}
			mu.Lock()
			bases[ref] = base
			mu.Unlock()
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	return bases, nil
}

// resolve looks ref up at each endpoint of its registry in turn (mirrors
// first, as buildkitd does) and returns the first answer.
func (r *Resolver) resolve(ctx context.Context, ref string, platform ocispec.Platform) (wsllb.Base, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return wsllb.Base{}, fmt.Errorf("parsing: %w", err)
	}
	named = reference.TagNameOnly(named)
	eps, err := r.config.endpoints(reference.Domain(named))
	if err != nil {
		return wsllb.Base{}, err
	}
	var errs []error
	for _, ep := range eps {
		dgst, cfg, err := r.lookup(ctx, ep, named, platform)
		if err == nil {
			return pinned(named, dgst, cfg)
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return wsllb.Base{}, errors.Join(errs...)
}

// pinned returns the Base for named resolved to dgst, in the form buildkitd's
// resolver gives: the normalised name with its tag and the digest.
func pinned(named reference.Named, dgst digest.Digest, cfg []byte) (wsllb.Base, error) {
	if c, ok := named.(reference.Canonical); ok {
		if c.Digest() != dgst {
			return wsllb.Base{}, fmt.Errorf("registry answered %s for %s", dgst, c.Digest())
		}
		return wsllb.Base{Ref: named.String(), Digest: dgst, Config: cfg}, nil
	}
	withDigest, err := reference.WithDigest(named, dgst)
	if err != nil {
		return wsllb.Base{}, fmt.Errorf("pinning to %s: %w", dgst, err)
	}
	return wsllb.Base{Ref: withDigest.String(), Digest: dgst, Config: cfg}, nil
}

// lookup fetches what named names at one endpoint: the digest of its
// manifest or index and the config of the image for platform.
func (r *Resolver) lookup(ctx context.Context, ep endpoint, named reference.Named, platform ocispec.Platform) (digest.Digest, []byte, error) {
	repo := reference.Path(named)
	if ep.prefix != "" {
		repo = ep.prefix + "/" + repo
	}
	s := ep.host + "/" + repo
	if c, ok := named.(reference.Canonical); ok {
		s += "@" + c.Digest().String()
	} else {
		s += ":" + named.(reference.Tagged).Tag()
	}
	var nopts []name.Option
	if ep.plainHTTP {
		nopts = append(nopts, name.Insecure)
	}
	ref, err := name.ParseReference(s, nopts...)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", s, err)
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(r.keychain)}
	if ep.transport != nil {
		ropts = append(ropts, remote.WithTransport(ep.transport))
	}
	desc, err := remote.Get(ref, ropts...)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", s, err)
	}
	cfg, err := config(desc, platform)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", s, err)
	}
	return digest.Digest(desc.Digest.String()), cfg, nil
}

// config returns the config of the image desc names for platform: desc's own
// for an image manifest, as buildkit does whatever its platform; for an
// index, that of the manifest buildkit picks (see pick).
func config(desc *remote.Descriptor, platform ocispec.Platform) ([]byte, error) {
	if !desc.MediaType.IsIndex() {
		if desc.MediaType.IsSchema1() {
			return nil, errors.New("Docker image manifest version 2, schema 1 is not supported")
		}
		img, err := desc.Image()
		if err != nil {
			return nil, err
		}
		return img.RawConfigFile()
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	child, ok := pick(im.Manifests, platforms.Only(platform))
	if !ok {
		return nil, fmt.Errorf("no match for platform %s in index %s", platforms.Format(platform), desc.Digest)
	}
	if child.MediaType.IsIndex() {
		return nil, fmt.Errorf("index %s: nested index %s for platform %s is not supported", desc.Digest, child.Digest, platforms.Format(platform))
	}
	img, err := idx.Image(child.Digest)
	if err != nil {
		return nil, err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return nil, err
	}
	if child.Platform == nil { // buildkit then checks the config's platform
		var p struct {
			OS           string `json:"os"`
			Architecture string `json:"architecture"`
		}
		if err := json.Unmarshal(cfg, &p); err != nil {
			return nil, fmt.Errorf("reading the config of %s: %w", child.Digest, err)
		}
		if !platforms.Only(platform).Match(platforms.Normalize(ocispec.Platform{OS: p.OS, Architecture: p.Architecture})) {
			return nil, fmt.Errorf("no match for platform %s in index %s", platforms.Format(platform), desc.Digest)
		}
	}
	return cfg, nil
}

// pick chooses the manifest of an index for a platform as containerd's
// images.Manifest does for buildkit: among the entries without a platform or
// with a matching one, the most preferred (entries without a platform last,
// ties in index order).
func pick(manifests []v1.Descriptor, m platforms.MatchComparer) (v1.Descriptor, bool) {
	var cands []v1.Descriptor
	for _, d := range manifests {
		if d.Platform == nil || m.Match(ociPlatform(d.Platform)) {
			cands = append(cands, d)
		}
	}
	if len(cands) == 0 {
		return v1.Descriptor{}, false
	}
	slices.SortStableFunc(cands, func(a, b v1.Descriptor) int {
		switch {
		case a.Platform == nil && b.Platform == nil:
			return 0
		case a.Platform == nil:
			return 1
		case b.Platform == nil:
			return -1
		case m.Less(ociPlatform(a.Platform), ociPlatform(b.Platform)):
			return -1
		case m.Less(ociPlatform(b.Platform), ociPlatform(a.Platform)):
			return 1
		}
		return 0
	})
	return cands[0], true
}

// ociPlatform converts a go-containerregistry platform.
func ociPlatform(p *v1.Platform) ocispec.Platform {
	return ocispec.Platform{
		OS: p.OS, Architecture: p.Architecture, Variant: p.Variant,
		OSVersion: p.OSVersion, OSFeatures: p.OSFeatures,
	}
}
