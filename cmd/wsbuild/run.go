package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/wsbuild/wsbuild/internal/lock"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// planRun is a loaded and planned spec whose buildkitd session is opened
// only when it is needed: with a lock file, planning and deciding what to
// build need no daemon, so a run that builds nothing never starts one.
type planRun struct {
	o       pipeline.Options
	plan    *plan.Plan
	pins    map[string]lock.Base // nil without a lock file
	sess    *pipeline.Session
	planned *pipeline.Planned
}

// startRun loads and plans the spec o names and pins its bases from the
// lock file; without one it opens a session and resolves them. With
// needPush, a spec without push targets is a usage error.
func startRun(ctx context.Context, o pipeline.Options, needPush bool) (*planRun, error) {
	f, err := pipeline.Load(o)
	if err != nil {
		return nil, err
	}
	if needPush && len(f.Push) == 0 {
		return nil, usageError{fmt.Errorf("%s: --push was given but the spec has no push: targets", f.File)}
	}
	p, err := pipeline.Check(f, o)
	if err != nil {
		return nil, err
	}
	lf, err := pipeline.ReadLock(o)
	if err != nil {
		return nil, err
	}
	r := &planRun{o: o, plan: p}
	if lf != nil {
		if r.pins, err = pipeline.Pin(p, lf, o); err != nil {
			return nil, err
		}
		return r, nil
	}
	if _, err := r.session(ctx); err != nil {
		return nil, errors.Join(err, r.close())
	}
	return r, nil
}

// session opens buildkitd and resolves the bases, once.
func (r *planRun) session(ctx context.Context) (*pipeline.Session, error) {
	if r.sess != nil {
		return r.sess, nil
	}
	s, err := pipeline.Open(ctx, r.o)
	if err != nil {
		return nil, err
	}
	r.sess = s
	if r.planned, err = pipeline.Resolve(ctx, s.Solver, r.plan, r.o, r.pins); err != nil {
		return nil, err
	}
	return s, nil
}

// close stops the session, if one was opened.
func (r *planRun) close() error {
	if r.sess == nil {
		return nil
	}
	return r.sess.Close()
}
