package solve

import (
	"context"
	"fmt"
	"strings"
	"sync"

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
// check writes reaches the image. It records the first check that failed in
// failed: the error BuildKit hands back to the client loses any wrapping
// done here.
func runChecks(ctx context.Context, c gateway.Client, checks []check, failed *checkFailure) error {
	eg, ctx := errgroup.WithContext(ctx)
	for _, chk := range checks {
		eg.Go(func() error {
			_, err := c.Solve(ctx, gateway.SolveRequest{Definition: chk.def.ToPB(), Evaluate: true})
			if err != nil {
				failed.set(chk.name)
			}
			return err
		})
	}
	return eg.Wait()
}

// checkFailure remembers the first check of an image that failed.
type checkFailure struct {
	mu   sync.Mutex
	name string
}

func (f *checkFailure) set(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.name == "" {
		f.name = name
	}
}

// wrap names the failed check in err, keeping only the end of BuildKit's
// message (the exit code): the check's script and output are in the
// progress display above.
func (f *checkFailure) wrap(err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.name == "" {
		return err
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, "did not complete successfully: "); i >= 0 {
		msg = msg[i+len("did not complete successfully: "):]
	}
	return fmt.Errorf("check %q failed: %s (its output is above)", f.name, msg)
}
