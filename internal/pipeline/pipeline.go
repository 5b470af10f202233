// Package pipeline owns a wsbuild run from a spec file to pushed images:
// load and validate, plan, resolve the bases (or pin them from the lock
// file), decide what to build, compile, solve and publish. The CLI only
// parses flags into Options and prints what a Runner returns.
//
// Every step that does I/O sits behind a small interface: a Resolver for
// base images, a Daemon (a Builder and a Resolver) opened only when a run
// needs one, and a Publisher that looks up tags, pushes by digest and then
// moves tags. The defaults wrap buildkitd (internal/solve) and
// go-containerregistry (internal/publish); tests put fakes in their place.
package pipeline

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/session/secrets"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/buildcache"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/creds"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/solve"
	"github.com/wsbuild/wsbuild/internal/spec"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// InputError is a problem with the spec, an override, a flag or the
// selection: the user's input, not the build. The CLI exits 2 on it.
type InputError struct {
	// Err describes the problem.
	Err error
}

// Error returns the underlying message.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Options says what a run reads, builds and where.
type Options struct {
	// SpecFile is the spec's path.
	SpecFile string
	// Sets are --set image.key=value overrides.
	Sets []string
	// SetFiles are override files (--set-file), one image.key=value a line,
	// applied in order before Sets.
	SetFiles []string
	// LockFile is the lock file to read or write; "" means the spec's (see
	// LockPath).
	LockFile string
	// MaxImages is how many images the family may have, matrix variants
	// included (--max-images); 0 means spec.DefaultMaxImages.
	MaxImages int
	// AllowInsecure names registries (host[:port]) that push targets may
	// reach over plain HTTP (insecure: true) although they are not on a
	// loopback or private address (see spec.PlainHTTPSafe).
	AllowInsecure []string
	// Images selects images (with their ancestors); empty means all. A
	// declared image's name selects all its matrix variants.
	Images []string
	// WithDependents also selects every image built on a selected one.
	WithDependents bool
	// Platform is the platform images are built for; zero means
	// oci.DefaultPlatform.
	Platform ocispec.Platform
	// SourceDateEpoch is --source-date-epoch, nil when not given. It wins
	// over $SOURCE_DATE_EPOCH (when not empty), which wins over the spec's
	// source_date_epoch; a bad value is an InputError naming its source.
	// Validate and Lock use the spec's only.
	SourceDateEpoch *string
	// Compression, when not nil, is how the layers images add are
	// compressed (--compression, --compression-level), over the spec's.
	Compression *spec.Compression
	// CacheTo and CacheFrom are the --cache-to and --cache-from entries,
	// made each image's own (see buildcache.Entry.ForImage); when given,
	// they replace, direction by direction, the cache the spec's cache:
	// derives.
	CacheTo, CacheFrom []buildcache.Entry

	// Push pushes every built image to the spec's push targets (Build), and
	// is then compared with what they hold already.
	Push bool
	// Registry and Namespace, when not "", replace the registry and the
	// namespace of every push target of the spec for this run (--registry,
	// --namespace), so CI can push a family to a staging namespace without
	// editing the spec.
	Registry, Namespace string
	// Credentials is what CI gives on the command line (--registry-user);
	// it is sent to the run's push registries only. Every other credential
	// comes from the Docker config, podman's auth file, or none (see
	// package creds).
	Credentials creds.CI
	// Secrets are the --secret entries: build secrets over the spec's
	// secrets: of the same id (see spec.Secret).
	Secrets []SecretFlag
	// Why decides, as `build --push` would, what to build and why (Plan).
	Why bool
	// Force builds every selected image, even those whose tags are up to date.
	Force bool
	// NoSBOM pushes images without their SBOM attestation (--sbom=false);
	// NoProvenance without their provenance (--provenance=false). With
	// both, tags hold image manifests, not indexes (see package attest).
	NoSBOM, NoProvenance bool
	// Version is wsbuild's version, for the provenance.
	Version string

	// Addr is the buildkitd address; "" means $BUILDKIT_HOST, else a
	// private buildkitd.
	Addr string
	// PushFrom says what sends a pushed image's blobs to the registry:
	// PushFromAuto ("" too), PushFromWsbuild or PushFromDaemon. A bad value
	// is an InputError.
	PushFrom string
	// TLS is how to reach the buildkitd at Addr over TLS; the zero value
	// means no TLS.
	TLS buildkitd.TLS
	// Progress is BuildKit's progress mode; "" means auto.
	Progress string
	// NoCache solves every step again.
	NoCache bool
	// CacheDir holds the private buildkitd's state and the content store of
	// exported images; "" means DefaultCacheDir.
	CacheDir string
	// CacheLimit is the size each cache of CacheDir is kept under, such as
	// 10GB (powers of ten) or a number of bytes, 0 for no limit; "" means
	// $WSBUILD_CACHE_LIMIT, else DefaultCacheLimit. A bad value is an
	// InputError.
	CacheLimit string
	// Vet, when not nil, is given the run's plan (Build, Plan) before any
	// base is resolved or daemon opened; an error it returns
	// fails the run as an InputError. The CLI checks there what its own
	// flags require of the images' names (see --metadata-file).
	Vet func(*plan.Plan) error
	// Log receives the progress display and the private daemon's log; nil
	// means standard error.
	Log io.Writer

	// caches is the cache each image imports and exports, by name, as the
	// run works it out (see cacheSets) for the Opener.
	caches map[string]buildcache.Set
	// creds is the run's credential store (see run.start); nil before.
	creds *creds.Store
	// buildSecrets is the run's secret store (see run.open); nil when
	// there are no secrets.
	buildSecrets secrets.SecretStore
}

// credentials returns the run's credential store, or one without CI's
// credential when the run made none (a Daemon opened outside a run).
func (o Options) credentials() *creds.Store {
	if o.creds == nil {
		return creds.New(creds.CI{}, nil)
	}
	return o.creds
}

// withDefaults fills in o's defaults and checks what can be checked before
// anything is read.
func (o Options) withDefaults() (Options, error) {
	if o.Platform.OS == "" {
		o.Platform = oci.DefaultPlatform()
	}
	if o.Progress == "" {
		o.Progress = "auto"
	}
	if err := solve.CheckProgress(o.Progress); err != nil {
		return o, &InputError{err}
	}
	if _, err := o.cacheLimit(); err != nil {
		return o, err
	}
	switch o.PushFrom {
	case "":
		o.PushFrom = PushFromAuto
	case PushFromAuto, PushFromWsbuild, PushFromDaemon:
	default:
		return o, &InputError{fmt.Errorf("unknown --push-from %q (want %s, %s or %s)", o.PushFrom, PushFromAuto, PushFromWsbuild, PushFromDaemon)}
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	return o, nil
}

// withCacheDir fills in o.CacheDir.
func (o Options) withCacheDir() (Options, error) {
	if o.CacheDir != "" {
		return o, nil
	}
	var err error
	o.CacheDir, err = DefaultCacheDir()
	return o, err
}

// DefaultCacheDir is $WSBUILD_CACHE_DIR, else the user's cache folder/wsbuild.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("WSBUILD_CACHE_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the cache folder (set WSBUILD_CACHE_DIR): %w", err)
	}
	return filepath.Join(d, "wsbuild"), nil
}

// sourceDateEpoch is the run's source date epoch ahead of the spec's:
// --source-date-epoch, else $SOURCE_DATE_EPOCH when not empty (see
// plan.SourceDateEpochFrom, which ranks them, and plan.New, which falls back
// to the spec's source_date_epoch).
func (o Options) sourceDateEpoch() ([]plan.Option, error) {
	flag := plan.EpochSetting{Name: "--source-date-epoch"}
	if o.SourceDateEpoch != nil {
		flag.Value, flag.Set = *o.SourceDateEpoch, true
	}
	env := os.Getenv(wsllb.EnvSourceDateEpoch)
	t, err := plan.SourceDateEpochFrom(flag, plan.EpochSetting{Name: "$" + wsllb.EnvSourceDateEpoch, Value: env, Set: env != ""})
	if err != nil {
		return nil, &InputError{err}
	}
	if t == nil {
		return nil, nil
	}
	return []plan.Option{plan.WithSourceDateEpoch(*t)}, nil
}

// Runner runs wsbuild's pipeline. Its zero value is not usable; see New.
type Runner struct {
	open      Opener
	publisher Publisher
	resolver  Resolver
	// registryResolver resolves bases with go-containerregistry when the
	// run's buildkitd is a private one (see run.resolver).
	registryResolver bool
}

type options struct {
	open      Opener
	publisher Publisher
	resolver  Resolver
	opener    bool // WithOpener was given
}

// Option configures a Runner.
type Option func(*options) error

// WithOpener sets how a run opens its Daemon. Default: OpenBuildkitd.
func WithOpener(open Opener) Option {
	return func(o *options) error { o.open, o.opener = open, true; return nil }
}

// WithPublisher sets the registry client. Default: publish.New with the
// run's credentials (see Options.Credentials), made per run.
func WithPublisher(p Publisher) Option {
	return func(o *options) error { o.publisher = p; return nil }
}

// WithResolver sets how bases are resolved. Default: with the default
// Opener and a private buildkitd, go-containerregistry with the registry
// mirrors and credentials buildkitd would use (internal/resolve), so that
// planning starts no daemon; otherwise through the run's Daemon.
func WithResolver(r Resolver) Option {
	return func(o *options) error { o.resolver = r; return nil }
}

// New returns a Runner.
func New(opts ...Option) (*Runner, error) {
	o := options{open: OpenBuildkitd}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return &Runner{open: o.open, publisher: o.publisher, resolver: o.resolver,
		registryResolver: o.resolver == nil && !o.opener}, nil
}

// What sends a pushed image's blobs to the registry (Options.PushFrom).
const (
	// PushFromWsbuild: buildkitd exports every image into wsbuild's content
	// store, and wsbuild pushes it, blobs and all.
	PushFromWsbuild = "wsbuild"
	// PushFromDaemon: buildkitd pushes every image by digest (no tag) to
	// the repository of its first tag, and wsbuild moves only manifests and
	// tags: a remote builder's layers go straight to the registry instead
	// of across the network to wsbuild and back.
	PushFromDaemon = "daemon"
	// PushFromAuto: PushFromDaemon, as buildx pushes, for images with gzip
	// (default) or uncompressed layers, the ones whose parent layers
	// BuildKit's pusher mounts into a child's repository; PushFromWsbuild
	// for zstd images, and for every image of a buildkitd in a container on
	// this host (docker-container://, podman-container://, ...), whose
	// loopback is its own, so that it may not reach a registry on this
	// host's. Pushing from the daemon spares each layer a copy into
	// wsbuild's content store, and one across the network from a remote
	// builder.
	PushFromAuto = "auto"
)

// daemonPush says which images of a run with o buildkitd pushes (see
// PushFrom).
func (o Options) daemonPush() solve.DaemonPush {
	switch {
	case !o.Push || o.PushFrom == PushFromWsbuild:
		return solve.PushNone
	case o.PushFrom == PushFromDaemon:
		return solve.PushEvery
	}
	scheme, _, _ := strings.Cut(o.daemonAddr(), "://")
	if strings.HasSuffix(scheme, "-container") {
		return solve.PushNone
	}
	return solve.PushMountable
}

// daemonAddr is the address of the buildkitd a run with o uses: o.Addr,
// else $BUILDKIT_HOST; "" for the private buildkitd.
func (o Options) daemonAddr() string {
	if o.Addr != "" {
		return o.Addr
	}
	return os.Getenv(buildkitd.EnvHost)
}

// imagePlatform is the run's platform, as go-containerregistry spells it.
func (o Options) imagePlatform() v1.Platform {
	p := o.Platform
	return v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
}
