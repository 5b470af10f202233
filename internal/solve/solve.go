// Package solve runs compiled images on buildkitd and brings the results back
// as OCI content in a local content store.
//
// Every selected image is solved in the same run as its own concurrent build
// job (BuildKit exports one image per job). Because the jobs run at the same
// time on one daemon, BuildKit's solver merges the steps they share, so a
// parent's steps run once and siblings build in parallel; progress from all
// jobs goes to one BuildKit progress display. Registry credentials reach
// buildkitd through the session, from the Docker config and its helpers.
package solve

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/containerd/containerd/v2/core/content"
	bkclient "github.com/moby/buildkit/client"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"
	"github.com/wsbuild/wsbuild/internal/buildcache"
	"github.com/wsbuild/wsbuild/internal/creds"
	"github.com/wsbuild/wsbuild/internal/oci"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// Solver builds compiled images on one buildkitd.
type Solver struct {
	c    *bkclient.Client
	opts options
}

type options struct {
	progress   progressui.DisplayMode
	out        io.Writer
	noCache    bool
	contextDir string
	probe      string
	// display, when set, is the run's progress display (WithDisplay).
	display *Progress
	// push says which images buildkitd pushes by digest itself.
	push  DaemonPush
	cache map[string]buildcache.Set
	// creds is where buildkitd's registry credentials come from
	// (WithCredentials).
	creds *creds.Store
	// secrets are the build secrets steps may mount (WithSecrets); nil
	// for none.
	secrets secrets.SecretStore
	// inventory lists every image's packages (WithInventory).
	inventory bool
}

// Option configures a Solver.
type Option func(*options) error

// CheckProgress returns an error unless mode is one of BuildKit's progress
// displays: auto, tty, plain, rawjson or quiet.
func CheckProgress(mode string) error {
	switch progressui.DisplayMode(mode) {
	case progressui.AutoMode, progressui.TtyMode, progressui.PlainMode, progressui.RawJSONMode, progressui.QuietMode:
		return nil
	}
	return fmt.Errorf("unknown progress mode %q (want auto, tty, plain, rawjson or quiet)", mode)
}

// WithProgress sets BuildKit's progress display (see CheckProgress), written
// to w. Default: auto on standard error.
func WithProgress(mode string, w io.Writer) Option {
	return func(o *options) error {
		if err := CheckProgress(mode); err != nil {
			return err
		}
		o.progress, o.out = progressui.DisplayMode(mode), w
		return nil
	}
}

// WithNoCache solves every step again instead of using BuildKit's cache.
// Default: false.
func WithNoCache(noCache bool) Option {
	return func(o *options) error { o.noCache = noCache; return nil }
}

// WithContextDir is the folder copy: steps read from. Default: none, and an
// image that copies files fails to solve.
func WithContextDir(dir string) Option {
	return func(o *options) error { o.contextDir = dir; return nil }
}

// WithProbe is the static wsbuild-probe binary the start checks mount
// (see llb.ProbeName). Default: none, and an image with a start check that
// proves services fails to solve.
func WithProbe(path string) Option {
	return func(o *options) error { o.probe = path; return nil }
}

// WithDaemonPush has buildkitd push each built image m names, by digest and
// with no tag, to the repository of its first tag, instead of exporting it
// into the content store: the image's blobs then go from the daemon to the
// registry, never through wsbuild, which moves only manifests and tags
// afterwards. A child's push waits for its parent's (see exportOrder).
// Result.Pushed says where each went. Default: PushNone.
func WithDaemonPush(m DaemonPush) Option {
	return func(o *options) error { o.push = m; return nil }
}

// WithDisplay shows the builds on p, a display the caller started for the
// whole run and closes after it (the pushes show there too); WithProgress
// is then ignored. Default: each Build starts and closes a display of its
// own.
func WithDisplay(p *Progress) Option {
	return func(o *options) error { o.display = p; return nil }
}

// ShowOn shows the next builds on p, as WithDisplay does.
func (s *Solver) ShowOn(p *Progress) { s.opts.display = p }

// WithCredentials sets where the registry credentials buildkitd asks the
// session for (pulling bases, resolving them, pushing by digest, registry
// cache) come from. Default: creds.New with no CI credential.
func WithCredentials(c *creds.Store) Option {
	return func(o *options) error { o.creds = c; return nil }
}

// WithSecrets sets the build secrets the session hands to steps that
// mount them (see spec.Secret). Default: none.
func WithSecrets(s secrets.SecretStore) Option {
	return func(o *options) error { o.secrets = s; return nil }
}

// session is what every solve of s attaches: the registry credentials and,
// when there are any, the build secrets.
func (s *Solver) session() []session.Attachable {
	out := []session.Attachable{authProvider(s.opts.creds)}
	if s.opts.secrets != nil {
		out = append(out, secretsprovider.NewSecretProvider(s.opts.secrets))
	}
	return out
}

// New returns a Solver talking to c.
func New(c *bkclient.Client, opts ...Option) (*Solver, error) {
	o := options{progress: progressui.AutoMode, out: os.Stderr}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.creds == nil {
		o.creds = creds.New(creds.CI{}, nil)
	}
	return &Solver{c: c, opts: o}, nil
}

// Result is one image of a Build: built into the content store, or failed.
type Result struct {
	// Name is the image's name in the spec.
	Name string
	// Manifest describes the image manifest in the store, or in Pushed's
	// repository; zero when Err is set.
	Manifest ocispec.Descriptor
	// Pushed is the tag whose repository buildkitd pushed the image to by
	// digest (see WithDaemonPush); nil when it went into the store.
	Pushed *oci.Ref
	// Inventory is what the image holds, as wsbuild-probe sbom listed it
	// (see WithInventory); nil when not asked for.
	Inventory []byte
	// Err says why the image failed to build: a step, or the checks that
	// failed (by name); nil when it built.
	Err error
}

// Build solves every image and exports each, as an OCI image, into store.
// Blobs the store already holds are not sent again. It returns one Result
// per image, in the order of images. One image failing does not stop the
// others: its Result.Err says why. The error is for what fails the whole
// run (an image that does not marshal, the progress display).
func (s *Solver) Build(ctx context.Context, images []*wsllb.Image, store content.Store) ([]Result, error) {
	var extra []bk.ConstraintsOpt
	if s.opts.noCache {
		extra = append(extra, bk.IgnoreCache)
	}
	mounts := map[string]fsutil.FS{}
	if s.opts.contextDir != "" {
		fs, err := fsutil.NewFS(s.opts.contextDir)
		if err != nil {
			return nil, fmt.Errorf("opening build context %q: %w", s.opts.contextDir, err)
		}
		mounts[wsllb.ContextName] = fs
	}
	if s.opts.probe != "" {
		fs, err := probeFS(s.opts.probe)
		if err != nil {
			return nil, err
		}
		mounts[wsllb.ProbeName] = fs
	}
	jobs := make([]job, len(images))
	for i, img := range images {
		j, err := newJob(ctx, img, extra, s.opts.push)
		if err != nil {
			return nil, err
		}
		if s.opts.inventory {
			if j.inventory, err = inventoryDefinition(ctx, img, extra); err != nil {
				return nil, err
			}
		}
		j.cache = s.opts.cache[img.Node.Name]
		jobs[i] = j
	}
	prog := s.opts.display
	if prog == nil {
		var err error
		if prog, err = StartProgress(string(s.opts.progress), s.opts.out); err != nil {
			return nil, fmt.Errorf("starting the %q progress display: %w", s.opts.progress, err)
		}
	}
	display := prog.builds(len(images))
	order := newExportOrder(images, jobs)
	results := make([]Result, len(images))
	var wg sync.WaitGroup
	for i, img := range images {
		wg.Go(func() {
			defer order.ended(i)
			desc, inv, err := s.buildOne(ctx, jobs[i], store, mounts, display, order, i)
			results[i] = Result{Name: img.Node.Name, Manifest: desc, Pushed: jobs[i].export.pushTo, Inventory: inv, Err: err}
			if err != nil {
				results[i].Pushed = nil
			}
		})
	}
	wg.Wait()
	if s.opts.display != nil {
		return results, nil // its owner closes it
	}
	if err := prog.Close(); err != nil && Failed(results) == 0 {
		return nil, fmt.Errorf("showing progress: %w", err)
	}
	return results, nil
}

// Failed counts the results that failed.
func Failed(results []Result) int {
	n := 0
	for _, r := range results {
		if r.Err != nil {
			n++
		}
	}
	return n
}

// newJob marshals img, its config and its checks for buildkitd.
func newJob(ctx context.Context, img *wsllb.Image, extra []bk.ConstraintsOpt, push DaemonPush) (job, error) {
	def, err := img.Definition(ctx, extra...)
	if err != nil {
		return job{}, fmt.Errorf("marshalling image %q: %w", img.Node.Name, err)
	}
	cfg, err := img.ConfigJSON()
	if err != nil {
		return job{}, fmt.Errorf("marshalling config of image %q: %w", img.Node.Name, err)
	}
	checks, err := checkDefinitions(ctx, img, extra)
	if err != nil {
		return job{}, err
	}
	return job{def: def, cfg: cfg, annotations: img.Annotations, checks: checks, export: exportOf(img, push), layouts: img.Layouts}, nil
}

// job is one image, marshalled for buildkitd.
type job struct {
	def         *bk.Definition
	cfg         []byte
	annotations map[string]string
	checks      []check
	export      export
	// cache is what the image imports and exports (see WithCache).
	cache buildcache.Set
	// layouts are the OCI layouts its base is read from, folder by store ID.
	layouts map[string]string
	// inventory is the image's inventory step; nil when not asked for.
	inventory *bk.Definition
}

// buildOne solves one image, then its checks and its inventory (when the
// job has one), and exports it into store only when every check passed,
// once order lets it. It is build i of display and of order: BuildKit
// closes display.source(i).
func (s *Solver) buildOne(ctx context.Context, j job, store content.Store,
	mounts map[string]fsutil.FS, display *display, order *exportOrder, i int) (ocispec.Descriptor, []byte, error) {
	opt := bkclient.SolveOpt{
		Exports:     []bkclient.ExportEntry{j.export.entry(store)},
		LocalMounts: mounts,
		Session:     s.session(),
	}
	cacheOpt(&opt, j.cache)
	if err := layoutStores(&opt, j.layouts); err != nil {
		return ocispec.Descriptor{}, nil, err
	}
	var failed checkFailures
	var step stepFailure
	var built bool // the image built and passed its checks: what fails now is the export
	var inventory []byte
	listInventory := func(ctx context.Context, c gateway.Client) (err error) {
		if j.inventory != nil {
			inventory, err = readInventory(ctx, c, j.inventory)
		}
		return err
	}
	resp, err := s.c.Build(ctx, opt, "wsbuild", func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		// Evaluated before the checks, so that a failing build step is
		// reported as itself, not as every check that stands on it.
		res, err := c.Solve(ctx, gateway.SolveRequest{Definition: j.def.ToPB(), Evaluate: true, CacheImports: gatewayImports(&opt)})
		if err != nil {
			return nil, step.record(j.def, err)
		}
		ref, err := res.SingleRef()
		if err != nil {
			return nil, err
		}
		if err := runChecks(ctx, c, j.checks, &failed, listInventory); err != nil {
			return nil, err
		}
		out := gateway.NewResult()
		out.SetRef(ref)
		out.AddMeta(exptypes.ExporterImageConfigKey, j.cfg)
		for k, v := range j.annotations {
			out.AddMeta(exptypes.AnnotationManifestKey(nil, k), []byte(v))
		}
		j.export.addMeta(out)
		if err := order.waitParent(ctx, i); err != nil {
			return nil, err
		}
		built = true
		return out, nil
	}, display.source(i))
	if err != nil && built {
		return ocispec.Descriptor{}, nil, j.export.failed(err)
	}
	if err != nil {
		return ocispec.Descriptor{}, nil, failed.wrap(step.wrap(err, func() *tails { return display.tail(i) }))
	}
	desc, err := manifestDescriptor(resp)
	return desc, inventory, err
}

func manifestDescriptor(resp *bkclient.SolveResponse) (ocispec.Descriptor, error) {
	var desc ocispec.Descriptor
	enc, ok := resp.ExporterResponse[exptypes.ExporterImageDescriptorKey]
	if !ok {
		return desc, fmt.Errorf("buildkitd returned no image descriptor")
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return desc, fmt.Errorf("decoding image descriptor: %w", err)
	}
	if err := json.Unmarshal(raw, &desc); err != nil {
		return desc, fmt.Errorf("decoding image descriptor: %w", err)
	}
	return desc, nil
}
