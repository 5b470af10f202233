package solve

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	bk "github.com/moby/buildkit/client/llb"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	wsllb "github.com/wsbuild/wsbuild/llb"
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

// runChecks solves every check, all of them even when one fails; their
// results are dropped, so nothing a check writes reaches the image. Failures
// are recorded in failed: the error BuildKit hands back to the client loses
// any wrapping done here. Each of also, such as the image's inventory, runs
// beside them; its error joins theirs.
func runChecks(ctx context.Context, c gateway.Client, checks []check, failed *checkFailures,
	also ...func(context.Context, gateway.Client) error) error {
	errs := make([]error, len(checks)+len(also))
	var wg sync.WaitGroup
	for k, f := range also {
		wg.Go(func() { errs[len(checks)+k] = f(ctx, c) })
	}
	for i, chk := range checks {
		wg.Go(func() {
			_, err := c.Solve(ctx, gateway.SolveRequest{Definition: chk.def.ToPB(), Evaluate: true})
			if err != nil {
				failed.add(i, chk.name, err)
				errs[i] = err
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// checkFailures remembers which checks of an image failed, and how.
type checkFailures struct {
	mu     sync.Mutex
	failed map[int]string
}

func (f *checkFailures) add(i int, name string, err error) {
	msg := err.Error()
	if j := strings.LastIndex(msg, "did not complete successfully: "); j >= 0 {
		msg = msg[j+len("did not complete successfully: "):]
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed == nil {
		f.failed = map[int]string{}
	}
	f.failed[i] = fmt.Sprintf("%q (%s)", name, msg)
}

// wrap names the failed checks in place of err, in the order the image
// lists them; the checks' scripts and output are in the progress display.
func (f *checkFailures) wrap(err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.failed) == 0 {
		return err
	}
	var names []string
	for _, i := range slices.Sorted(maps.Keys(f.failed)) {
		names = append(names, f.failed[i])
	}
	return fmt.Errorf("failed checks: %s; their output is above", strings.Join(names, ", "))
}
