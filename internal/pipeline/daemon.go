package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/google/go-containerregistry/pkg/authn"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/probe"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/solve"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// OpenBuildkitd is the default Opener: it connects to the buildkitd at
// o.Addr, else $BUILDKIT_HOST, else starts a private one with its state in
// o.CacheDir, and builds there, exporting images into the content store in
// o.CacheDir.
func OpenBuildkitd(ctx context.Context, o Options) (Daemon, error) {
	limit, err := o.cacheLimit()
	if err != nil {
		return nil, err
	}
	conn, err := buildkitd.Connect(ctx, append(o.connectOptions(), buildkitd.WithGCLimit(limit))...)
	if err != nil {
		return nil, err
	}
	// The start checks mount the probe; a run that only resolves bases
	// does not need it, so a missing probe fails the first build instead.
	probePath, probeErr := probe.Locate()
	s, err := solve.New(conn.Client(),
		solve.WithProbe(probePath),
		solve.WithProgress(o.Progress, o.Log),
		solve.WithNoCache(o.NoCache),
		solve.WithCache(o.caches),
		solve.WithContextDir(filepath.Dir(o.SpecFile)),
		solve.WithDaemonPush(o.daemonPush()),
		solve.WithCredentials(o.credentials()),
		solve.WithSecrets(o.buildSecrets),
		solve.WithInventory(o.Push && !o.NoSBOM))
	if err != nil {
		return nil, errors.Join(&InputError{err}, conn.Close())
	}
	local, err := solve.OpenStore(ctx, o.storeDir())
	if err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	return &buildkitdDaemon{Solver: s, conn: conn, local: local, store: solve.OneWriterStore(local),
		limit: limit, log: o.Log, probeErr: probeErr, keychain: o.credentials().Keychain()}, nil
}

// connectOptions are the buildkitd options of o.
func (o Options) connectOptions() []buildkitd.Option {
	opts := []buildkitd.Option{buildkitd.WithLog(o.Log), buildkitd.WithStateDir(filepath.Join(o.CacheDir, "buildkitd"))}
	if o.Addr != "" {
		opts = append(opts, buildkitd.WithAddr(o.Addr))
	}
	if o.TLS.Enabled() {
		opts = append(opts, buildkitd.WithTLS(o.TLS))
	}
	return opts
}

// buildkitdDaemon is a Daemon on a buildkitd connection: its solver resolves
// and builds, exporting into a local content store that the built images
// are read from. Closed, it prunes the store to the images it built.
type buildkitdDaemon struct {
	*solve.Solver
	conn  *buildkitd.Conn
	local *solve.LocalStore
	store content.Store
	// built are the manifests of the images built, kept in the store.
	built []ocispec.Descriptor
	limit int64
	log   io.Writer
	// probeErr says why the start checks' probe was not found.
	probeErr error
	// keychain reads back what buildkitd pushed: the run's credentials.
	keychain authn.Keychain
}

// deathGrace is how long a failed build waits to learn whether the private
// buildkitd died, before reporting the failure as the solves saw it.
const deathGrace = 2 * time.Second

// Build solves images into the content store and reads each back as an
// image, its blobs read lazily from the store; or, with o.PushFrom
// PushFromDaemon, has buildkitd push them by digest and reads each back from
// the registry, its layers never read.
func (d *buildkitdDaemon) Build(ctx context.Context, images []*wsllb.Image) ([]Output, error) {
	if d.probeErr != nil {
		return nil, &InputError{fmt.Errorf("the start checks and the SBOM step need wsbuild-probe: %w", d.probeErr)}
	}
	results, err := d.Solver.Build(ctx, images, d.store)
	died := d.conn.Died()
	if err != nil || solve.Failed(results) > 0 {
		// A solve may read the broken connection before the exit is seen.
		died = d.conn.DiedWithin(deathGrace)
	}
	if died != nil {
		// What the solves report then is a broken connection; say why.
		return nil, fmt.Errorf("buildkitd stopped in the middle of the build: %w", died)
	}
	if err != nil {
		return nil, err
	}
	out := make([]Output, len(results))
	for i, r := range results {
		if r.Err != nil {
			out[i].Err = r.Err
			continue
		}
		out[i].Inventory = r.Inventory
		if r.Pushed != nil {
			out[i].Image, out[i].Err = publish.FromRegistry(ctx, *r.Pushed, r.Manifest.Digest.String(), d.keychain)
			continue
		}
		d.built = append(d.built, r.Manifest)
		if out[i].Image, err = publish.FromStore(ctx, d.store, r.Manifest); err != nil {
			out[i].Err = fmt.Errorf("reading the built image from the content store: %w", err)
		}
	}
	return out, nil
}

// Close prunes the content store to the images this run built and the
// cache limit (unless another run holds it), and stops the connection, and
// a private buildkitd with it, which prunes its cache to the limit.
func (d *buildkitdDaemon) Close() error {
	return errors.Join(closeStore(d.local, d.built, d.limit, d.log), d.conn.Close())
}

// BuildKitVersion is the version the buildkitd says it is, for the
// provenance of what it built; "" when it does not answer.
func (d *buildkitdDaemon) BuildKitVersion(ctx context.Context) string {
	v, err := d.conn.DaemonVersion(ctx)
	if err != nil {
		return ""
	}
	return v.Version
}

var (
	_ shownDaemon     = (*buildkitdDaemon)(nil)
	_ versionedDaemon = (*buildkitdDaemon)(nil)
)
