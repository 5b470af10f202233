package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/containerd/platforms"
	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/lock"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// Validate loads the spec o names and plans it, offline: no daemon, no
// registry. The plan's input digests cover the base references only, and
// its source date epoch is the spec's. The lock file a build would use (the
// spec's when it exists, or o.LockFile) must read and pin every base.
func (r *Runner) Validate(o Options) (*plan.Plan, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := r.check(o, false)
	if err != nil {
		return nil, err
	}
	// The lock file the spec would build with must read and pin every base.
	lf, err := readLock(o)
	if err != nil {
		return nil, err
	}
	if lf == nil {
		return p, nil
	}
	if _, err := lf.Pins(LockPath(o), p.Bases(), platforms.Format(o.Platform)); err != nil {
		return nil, &InputError{err}
	}
	return p, nil
}

// Planned is what Plan found.
type Planned struct {
	// Plan is the plan, its input digests covering the bases' digests.
	Plan *plan.Plan
	// Decisions say, with o.Why, what `build --push` would do with each
	// image of Plan, in its order; nil without.
	Decisions []change.Decision
}

// Plan plans the spec o names against its resolved (or locked) bases and,
// with o.Why, decides against the push targets what a build would do. With
// a lock file it needs no daemon.
func (r *Runner) Plan(ctx context.Context, o Options) (_ Planned, err error) {
	ru, err := r.start(ctx, o, o.Why)
	if err != nil {
		return Planned{}, err
	}
	defer func() { err = errors.Join(err, ru.close()) }()
	out := Planned{Plan: ru.plan}
	if o.Why {
		if out.Decisions, err = ru.decide(ctx, true); err != nil {
			return Planned{}, err
		}
	}
	return out, nil
}

// Locked is what Lock wrote.
type Locked struct {
	// File is the lock file's content.
	File *lock.File
	// Path is where it was written.
	Path string
}

// Lock resolves every base of the spec o names, in every variant, and writes
// the lock file (LockPath) that pins them; an existing one is replaced.
func (r *Runner) Lock(ctx context.Context, o Options) (_ Locked, err error) {
	if o, err = o.withDefaults(); err != nil {
		return Locked{}, err
	}
	// The lock pins bases only; the epoch does not matter to it.
	p, err := r.check(o, false)
	if err != nil {
		return Locked{}, err
	}
	ru := &run{r: r, o: o, plan: p}
	defer func() { err = errors.Join(err, ru.close()) }()
	if err := ru.resolve(ctx); err != nil {
		return Locked{}, err
	}
	lf := &lock.File{Version: lock.Version}
	for _, ref := range p.Bases() {
		b := ru.bases[ref]
		b.Config = nil
		lf.Bases = append(lf.Bases, lock.Entry{Ref: ref, Platform: platforms.Format(o.Platform), Base: b})
	}
	data, err := lf.Marshal()
	if err != nil {
		return Locked{}, err
	}
	path := LockPath(o)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return Locked{}, fmt.Errorf("writing lock file: %w", err)
	}
	return Locked{File: lf, Path: path}, nil
}
