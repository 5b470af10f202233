// Package pipeline runs wsbuild's pipeline from a spec file to pushed images:
// load and validate, connect to buildkitd, resolve bases, plan, compile, solve
// and publish. The CLI and the tests drive it; each step lives in its own
// package and this one only wires them together.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/lock"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/probe"
	"github.com/wsbuild/wsbuild/internal/solve"
	"github.com/wsbuild/wsbuild/internal/spec"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// InputError is a problem with the spec, an override or the selection: the
// user's input, not the build. The CLI exits 2 on it.
type InputError struct {
	// Err describes the problem.
	Err error
}

// Error returns the underlying message.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Options says what to build and how.
type Options struct {
	// SpecFile is the spec's path.
	SpecFile string
	// Sets are --set image.key=value overrides.
	Sets []string
	// SetFiles are override files (--set-file), one image.key=value a line,
	// applied in order before Sets.
	SetFiles []string
	// Images selects images to build (with their ancestors); empty means all.
	// A declared image's name selects all its matrix variants.
	Images []string
	// WithDependents also selects every image built on a selected one.
	WithDependents bool
	// Connect holds options for the buildkitd connection.
	Connect []buildkitd.Option
	// Progress is BuildKit's progress mode.
	Progress string
	// ProgressOut is where progress is written.
	ProgressOut io.Writer
	// NoCache solves every step again.
	NoCache bool
	// CacheDir holds the content store of exported images.
	CacheDir string
	// Platform is the platform images are built for.
	Platform ocispec.Platform
	// LockFile is the lock file to read; "" means the spec's (see LockPath).
	LockFile string
	// Force builds every selected image, even those whose tags are up to date.
	Force bool
	// SourceDateEpoch fixes every timestamp of the images, for reproducible
	// builds; nil leaves the spec's source_date_epoch, if any, in force.
	SourceDateEpoch *time.Time
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

// DefaultPlatform is linux on the architecture wsbuild runs on.
func DefaultPlatform() ocispec.Platform {
	return ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
}

// Load reads and validates the spec, with the overrides of o.SetFiles and then
// those of o.Sets.
func Load(o Options) (*spec.Family, error) {
	var list []spec.Override
	for _, name := range o.SetFiles {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, &InputError{fmt.Errorf("reading override file %q: %w", name, err)}
		}
		ovs, err := spec.ReadOverrides(name, data)
		if err != nil {
			return nil, &InputError{err}
		}
		list = append(list, ovs...)
	}
	f, err := spec.Load(o.SpecFile, o.Sets, spec.WithOverrideList(list))
	if err != nil {
		return nil, &InputError{err}
	}
	return f, nil
}

// Planned is a family planned against resolved base images.
type Planned struct {
	// Plan is the build plan, input digests covering the base digests.
	Plan *plan.Plan
	// Bases holds each base's pinned reference, digest and config.
	Bases map[string]wsllb.Base
}

// Check plans the selected images of f. It needs no daemon, so a bad
// selection, a missing copy source or an inconsistent chain is reported
// before one starts; Resolve then completes the same plan.
func Check(f *spec.Family, o Options) (*plan.Plan, error) {
	opts := []plan.Option{
		plan.WithSelection(o.Images...),
		plan.WithContext(os.DirFS(filepath.Dir(o.SpecFile))),
		plan.WithPlatform(platforms.Format(o.Platform)),
	}
	if o.WithDependents {
		opts = append(opts, plan.WithDependents())
	}
	if o.SourceDateEpoch != nil {
		opts = append(opts, plan.WithSourceDateEpoch(*o.SourceDateEpoch))
	}
	p, err := plan.New(f, opts...)
	if err != nil {
		return nil, &InputError{err}
	}
	return p, nil
}

// Resolve looks up p's base images through s and folds their digests into
// p's input digests. With pins (from a lock file), the pinned references are
// resolved instead of the spec's, so the digests stay those of the lock.
func Resolve(ctx context.Context, s *solve.Solver, p *plan.Plan, o Options, pins map[string]lock.Base) (*Planned, error) {
	refs := p.Bases()
	lookup := make([]string, len(refs))
	for i, ref := range refs {
		lookup[i] = ref
		if b, ok := pins[ref]; ok {
			lookup[i] = b.Pinned
		}
	}
	resolved, err := s.ResolveBases(ctx, lookup, o.Platform)
	if err != nil {
		return nil, err
	}
	bases := map[string]wsllb.Base{}
	digests := map[string]digest.Digest{}
	for i, ref := range refs {
		bases[ref] = resolved[lookup[i]]
		digests[ref] = bases[ref].Digest
	}
	if err := p.SetBaseDigests(digests); err != nil {
		return nil, err
	}
	return &Planned{Plan: p, Bases: bases}, nil
}

// Session is an open connection to buildkitd with a solver on it.
type Session struct {
	// Conn is the buildkitd connection.
	Conn *buildkitd.Conn
	// Solver builds on that connection.
	Solver *solve.Solver
}

// Open connects to buildkitd (starting a private one by default).
func Open(ctx context.Context, o Options) (*Session, error) {
	conn, err := buildkitd.Connect(ctx, o.Connect...)
	if err != nil {
		return nil, err
	}
	probePath, err := probe.Locate()
	if err != nil {
		return nil, errors.Join(&InputError{err}, conn.Close())
	}
	s, err := solve.New(conn.Client(),
		solve.WithProbe(probePath),
		solve.WithProgress(o.Progress, o.ProgressOut),
		solve.WithNoCache(o.NoCache),
		solve.WithContextDir(filepath.Dir(o.SpecFile)))
	if err != nil {
		return nil, errors.Join(&InputError{err}, conn.Close())
	}
	return &Session{Conn: conn, Solver: s}, nil
}

// Close ends the session, stopping a private buildkitd.
func (s *Session) Close() error { return s.Conn.Close() }
