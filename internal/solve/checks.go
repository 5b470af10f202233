package solve

import (
	"context"
	"fmt"

	bk "github.com/moby/buildkit/client/llb"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	wsllb "github.com/wsbuild/wsbuild/llb"
	"golang.org/x/sync/errgroup"
)

// check is a marshalled llb.Check.
type check struct {
	name string
	def  *bk.Definition
}

func checkDefinitions(ctx context.Context, img *wsllb.Image, extra []bk.ConstraintsOpt) ([]check, error) {
	out := make([]check, 0, len(img.Checks))
	for _, c := range img.Checks {
		co := append([]bk.ConstraintsOpt{bk.Platform(img.Config.Platform)}, extra...)
		def, err := c.State.Marshal(ctx, co...)
		if err != nil {
			return nil, fmt.Errorf("marshalling check %q of image %q: %w", c.Name, img.Node.Name, err)
		}
		out = append(out, check{c.Name, def})
	}
	return out, nil
}

// runChecks solves every check; their results are dropped, so nothing a
// check writes reaches the image.
func runChecks(ctx context.Context, c gateway.Client, checks []check) error {
	eg, ctx := errgroup.WithContext(ctx)
	for _, chk := range checks {
		eg.Go(func() error {
			_, err := c.Solve(ctx, gateway.SolveRequest{Definition: chk.def.ToPB(), Evaluate: true})
			if err != nil {
				return fmt.Errorf("check %q failed: %w", chk.name, err)
			}
			return nil
		})
	}
	return eg.Wait()
}
