package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/buildcache"
	"github.com/wsbuild/wsbuild/internal/creds"
	"github.com/wsbuild/wsbuild/internal/localfs"
	"github.com/wsbuild/wsbuild/internal/lock"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/ocilayout"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/resolve"
	"github.com/wsbuild/wsbuild/internal/solve"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// run is one run of a Runner: a loaded and planned spec whose Daemon is
// opened only when it is needed. With a lock file, planning and deciding
// what to build need no daemon, so a run that builds nothing never starts
// one.
type run struct {
	r *Runner
	o Options
	// publisher is the Runner's, or publish.New with the run's credentials.
	publisher Publisher
	plan      *plan.Plan
	pins      map[string]oci.Base // from the lock file; nil without one
	bases     map[string]oci.Base // resolved, with configs; nil until resolved
	daemon    Daemon              // nil until opened
	// caches is the cache each image imports and exports, by name.
	caches map[string]buildcache.Set
	// cleanups remove what reading the bases left (unpacked layouts).
	cleanups []func() error
	// display is the run's progress display, the builds' and the pushes';
	// nil until something is built.
	display *solve.Progress
}

// start fills in o's defaults, then loads and plans the spec o names. Its
// bases are pinned from the lock file when there is one, else resolved.
// With needPush, a spec without push targets is an InputError. Bad input
// fails before any daemon starts.
func (r *Runner) start(ctx context.Context, o Options, needPush bool) (*run, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := r.check(o, true)
	if err != nil {
		return nil, err
	}
	if o.Vet != nil {
		if err := o.Vet(p); err != nil {
			return nil, &InputError{err}
		}
	}
	if needPush && len(p.Family.Push) == 0 {
		return nil, &InputError{fmt.Errorf("%s: --push was given but the spec has no push: targets", p.Family.File)}
	}
	lf, err := readLock(o)
	if err != nil {
		return nil, err
	}
	caches, err := cacheSets(p, o.CacheTo, o.CacheFrom, needPush)
	if err != nil {
		return nil, &InputError{err}
	}
	o.creds = creds.New(o.Credentials, pushRegistries(p))
	ru := &run{r: r, o: o, plan: p, caches: caches, publisher: r.publisher}
	if ru.publisher == nil {
		if ru.publisher, err = publish.New(publish.WithKeychain(o.creds.Keychain())); err != nil {
			return nil, err
		}
	}
	if lf != nil {
		if ru.pins, err = pin(p, lf, o); err != nil {
			return nil, err
		}
		return ru, nil
	}
	if err := ru.resolve(ctx); err != nil {
		return nil, errors.Join(err, ru.close())
	}
	return ru, nil
}

// check loads the spec (with the overrides of o.SetFiles, then o.Sets) and
// plans its selected images, with the source date epoch of the flag and the
// environment ahead of the spec's when epoch is true. It needs no daemon,
// so a bad selection, a missing copy source or an inconsistent chain is
// reported before one starts; resolving the bases completes the same plan.
func (r *Runner) check(o Options, epoch bool) (*plan.Plan, error) {
	var opts []plan.Option
	if epoch {
		var err error
		if opts, err = o.sourceDateEpoch(); err != nil {
			return nil, err
		}
	}
	var list []spec.Override
	for _, name := range o.SetFiles {
		ovs, err := spec.ReadOverrideFile(name)
		if err != nil {
			return nil, &InputError{err}
		}
		list = append(list, ovs...)
	}
	specOpts := []spec.Option{spec.WithOverrideList(list), spec.WithPushTarget(o.Registry, o.Namespace)}
	if o.MaxImages != 0 {
		specOpts = append(specOpts, spec.WithMaxImages(o.MaxImages))
	}
	f, err := spec.Load(o.SpecFile, o.Sets, specOpts...)
	if err != nil {
		return nil, &InputError{err}
	}
	warnings, err := f.CheckPlainHTTP(o.AllowInsecure)
	if err != nil {
		return nil, &InputError{err}
	}
	for _, w := range warnings {
		fmt.Fprintln(o.Log, w)
	}
	folder, err := localfs.Open(filepath.Dir(o.SpecFile))
	if err != nil {
		return nil, &InputError{err}
	}
	defer folder.Close()
	opts = append(opts,
		plan.WithSelection(o.Images...),
		plan.WithContext(folder),
		plan.WithPlatform(platforms.Format(o.Platform)))
	if o.WithDependents {
		opts = append(opts, plan.WithDependents())
	}
	if o.Compression != nil {
		opts = append(opts, plan.WithCompression(*o.Compression))
	}
	p, err := plan.New(f, opts...)
	if err != nil {
		return nil, &InputError{err}
	}
	return p, nil
}

// open returns the run's Daemon, opening it the first time.
func (ru *run) open(ctx context.Context) (Daemon, error) {
	if ru.daemon != nil {
		return ru.daemon, nil
	}
	o, err := ru.o.withCacheDir()
	if err != nil {
		return nil, err
	}
	o.caches = ru.caches
	// Only a build reads the secrets: plan and lock work without them.
	if o.buildSecrets, err = secretStore(ru.plan, o.Secrets, filepath.Dir(o.SpecFile), func(w string) { fmt.Fprintln(o.Log, w) }); err != nil {
		return nil, &InputError{err}
	}
	d, err := ru.r.open(ctx, o)
	if err != nil {
		return nil, err
	}
	ru.daemon = d
	return d, nil
}

// resolver is the Runner's Resolver; by default, for a private buildkitd,
// go-containerregistry reading the registry mirrors and credentials that
// buildkitd would use (its config file), so planning starts no daemon; for
// a buildkitd named by --addr or $BUILDKIT_HOST, whose config wsbuild
// cannot read, that daemon.
func (ru *run) resolver(ctx context.Context) (Resolver, error) {
	if ru.r.resolver != nil {
		return ru.r.resolver, nil
	}
	if ru.r.registryResolver && ru.o.daemonAddr() == "" {
		r, err := resolve.New(resolve.WithKeychain(ru.o.credentials().Keychain()))
		if err != nil {
			return nil, &InputError{err}
		}
		return r, nil
	}
	return ru.open(ctx)
}

// resolve looks up the plan's bases and folds their digests into its input
// digests. With pins (from a lock file), the pinned references are resolved
// instead of the spec's, so the digests stay those of the lock. A base in
// an OCI layout (oci-layout:) is read from its file; the others are asked
// of the resolver.
func (ru *run) resolve(ctx context.Context) error {
	if ru.bases != nil {
		return nil
	}
	bases := map[string]oci.Base{}
	var refs, lookup []string // the registry bases
	for _, ref := range ru.plan.Bases() {
		l := ref
		if b, ok := ru.pins[ref]; ok {
			l = b.Ref
		}
		if !oci.IsLayoutBase(ref) {
			refs, lookup = append(refs, ref), append(lookup, l)
			continue
		}
		b, done, err := ocilayout.ResolveBase(filepath.Dir(ru.o.SpecFile), l, ru.o.Platform)
		if err != nil {
			return ru.atBase(ref, &InputError{err})
		}
		ru.cleanups = append(ru.cleanups, done)
		bases[ref] = b
	}
	if len(refs) > 0 {
		res, err := ru.resolver(ctx)
		if err != nil {
			return err
		}
		resolved, err := res.ResolveBases(ctx, lookup, ru.o.Platform)
		var be *oci.BaseError
		if errors.As(err, &be) {
			for i := range lookup {
				if lookup[i] == be.Ref {
					return ru.atBase(refs[i], err)
				}
			}
		}
		if err != nil {
			return err
		}
		for i, ref := range refs {
			b, ok := resolved[lookup[i]]
			if !ok {
				return fmt.Errorf("resolving base image %q: the resolver returned nothing for it", lookup[i])
			}
			bases[ref] = b
		}
	}
	digests := map[string]digest.Digest{}
	for ref, b := range bases {
		digests[ref] = b.Digest
	}
	if err := ru.plan.SetBaseDigests(digests); err != nil {
		return err
	}
	ru.bases = bases
	return nil
}

// atBase says where the spec names base ref, ahead of err, when it can.
func (ru *run) atBase(ref string, err error) error {
	if src := ru.plan.BaseSource(ref); src != "" {
		var ie *InputError
		if errors.As(err, &ie) {
			return &InputError{fmt.Errorf("%s: %w", src, ie.Err)}
		}
		return fmt.Errorf("%s: %w", src, err)
	}
	return err
}

// close ends the run's Daemon, if one was opened, and removes the
// folders its bases were unpacked into.
func (ru *run) close() error {
	var errs []error
	if ru.daemon != nil {
		errs = append(errs, ru.daemon.Close())
	}
	for _, done := range ru.cleanups {
		errs = append(errs, done())
	}
	return errors.Join(errs...)
}

// LockPath is the lock file o names, by default the spec's (see lock.PathFor).
func LockPath(o Options) string {
	if o.LockFile != "" {
		return o.LockFile
	}
	return lock.PathFor(o.SpecFile)
}

// readLock reads the lock file of o. It returns nil and no error when there
// is none and o.LockFile did not name one explicitly.
func readLock(o Options) (*lock.File, error) {
	path := LockPath(o)
	data, err := localfs.ReadHostFile(path)
	if errors.Is(err, fs.ErrNotExist) && o.LockFile == "" {
		return nil, nil
	}
	if err != nil {
		return nil, &InputError{fmt.Errorf("reading lock file: %w", err)}
	}
	f, err := lock.Parse(path, data)
	if err != nil {
		return nil, &InputError{err}
	}
	return f, nil
}

// pin folds the digests lf pins into p's input digests, so p is complete
// without a daemon. Every base of p must be in lf.
func pin(p *plan.Plan, lf *lock.File, o Options) (map[string]oci.Base, error) {
	pins, err := lf.Pins(LockPath(o), p.Bases(), platforms.Format(o.Platform))
	if err != nil {
		return nil, &InputError{err}
	}
	digests := map[string]digest.Digest{}
	for ref, b := range pins {
		digests[ref] = b.Digest
	}
	if err := p.SetBaseDigests(digests); err != nil {
		return nil, err
	}
	return pins, nil
}

// pushRegistries lists the registries p pushes to: those that CI's
// credential (Options.Credentials) is sent to.
func pushRegistries(p *plan.Plan) []string {
	var out []string
	for _, t := range p.Family.Push {
		if !slices.Contains(out, t.Registry) {
			out = append(out, t.Registry)
		}
	}
	return out
}
