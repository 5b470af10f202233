package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/lock"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// LockPath is the lock file o names, by default the spec's (see lock.PathFor).
func LockPath(o Options) string {
	if o.LockFile != "" {
		return o.LockFile
	}
	return lock.PathFor(o.SpecFile)
}

// ReadLock reads the lock file of o. It returns nil and no error when there
// is none and o.LockFile did not name one explicitly.
func ReadLock(o Options) (*lock.File, error) {
	path := LockPath(o)
	data, err := os.ReadFile(path)
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

// Pin folds the digests lf pins into p's input digests, so p is complete
// without a daemon. Every base of p must be in lf.
func Pin(p *plan.Plan, lf *lock.File, o Options) (map[string]lock.Base, error) {
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

// Lock resolves every base of p through s and returns the lock file that
// pins them.
func Lock(ctx context.Context, s *Session, p *plan.Plan, o Options) (*lock.File, error) {
	bases, err := s.Solver.ResolveBases(ctx, p.Bases(), o.Platform)
	if err != nil {
		return nil, err
	}
	lf := &lock.File{Version: lock.Version}
	for _, ref := range p.Bases() {
		b := bases[ref]
		lf.Bases = append(lf.Bases, lock.Base{Ref: ref, Platform: platforms.Format(o.Platform), Digest: b.Digest, Pinned: b.Ref})
	}
	return lf, nil
}
