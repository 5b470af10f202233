package pipeline

import (
	"context"

	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/publish"
)

// Decide says which images of p a run builds. With lookup, every target tag
// is looked up through pub and images already up to date are skipped
// (unless o.Force); without it, every image is built.
func Decide(ctx context.Context, p *plan.Plan, o Options, lookup bool, pub *publish.Publisher) ([]change.Decision, error) {
	if !lookup {
		out := make([]change.Decision, len(p.Nodes))
		for i, n := range p.Nodes {
			out[i] = change.Decision{Node: n, Action: change.Build, Reasons: []string{"not pushing: nothing to compare with"}}
		}
		return out, nil
	}
	found := map[string]publish.Found{}
	if !o.Force {
		list, err := pub.Lookup(ctx, change.Refs(p))
		if err != nil {
			return nil, err
		}
		for _, f := range list {
			found[f.Ref] = f
		}
	}
	return change.Decide(p, found, o.Force), nil
}

// ToBuild counts the decisions that build.
func ToBuild(ds []change.Decision) int {
	n := 0
	for _, d := range ds {
		if d.Action == change.Build {
			n++
		}
	}
	return n
}
