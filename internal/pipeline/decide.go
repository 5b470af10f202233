package pipeline

import (
	"context"
	"fmt"

	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/publish"
)

// decide says which images of the run's plan to build. With lookup, every
// target tag is looked up and images already up to date are skipped (unless
// Force); without it, every image is built.
func (ru *run) decide(ctx context.Context, lookup bool) ([]change.Decision, error) {
	p := ru.plan
	if !lookup {
		out := make([]change.Decision, len(p.Nodes))
		for i, n := range p.Nodes {
			out[i] = change.Decision{Node: n, Action: change.Build, Reasons: []string{"not pushing: nothing to compare with"}}
		}
		return out, nil
	}
	found := map[string]publish.Found{}
	if !ru.o.Force {
		refs := change.Refs(p)
		list, err := ru.publisher.Lookup(ctx, refs, ru.o.imagePlatform())
		if err != nil {
			return nil, fmt.Errorf("looking up what the %d target tags hold (--force builds without looking): %w", len(refs), err)
		}
		for _, f := range list {
			found[f.Ref] = f
		}
	}
	return change.Decide(p, found, ru.o.Force), nil
}
