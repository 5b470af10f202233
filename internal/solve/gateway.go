package solve

import (
	"context"
	"errors"
	"fmt"

	bk "github.com/moby/buildkit/client/llb"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/oci"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// SolveChecked solves img through c as a wsbuild build does inside
// BuildKit: the image first, evaluated, so that a failing step is reported
// as itself (the image and the step, with its exit code), then every check
// of the image, a failing one named. It returns the image's reference. The
// BuildKit frontend builds with it; extra are constraints such as
// bk.IgnoreCache.
func SolveChecked(ctx context.Context, c gateway.Client, img *wsllb.Image, extra ...bk.ConstraintsOpt) (gateway.Reference, error) {
	j, err := newJob(ctx, img, extra, PushNone)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, gateway.SolveRequest{Definition: j.def.ToPB(), Evaluate: true})
	if err != nil {
		if se, _ := stepError(j.def, err); se != nil {
			err = se
		}
		return nil, fmt.Errorf("building image %q: %w", img.Node.Name, err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	var failed checkFailures
	if err := runChecks(ctx, c, j.checks, &failed); err != nil {
		return nil, fmt.Errorf("image %q: %w", img.Node.Name, failed.wrap(err))
	}
	return ref, nil
}

// ResolveInGateway resolves every ref for platform through c, keyed by
// ref, each pinned by digest; a ref that does not resolve is an
// *oci.BaseError.
func ResolveInGateway(ctx context.Context, c gateway.Client, refs []string, platform ocispec.Platform) (map[string]wsllb.Base, error) {
	out := map[string]wsllb.Base{}
	for _, ref := range refs {
		if oci.IsLayoutBase(ref) {
			return nil, &oci.BaseError{Ref: ref, Err: errors.New("a base from an OCI layout file is read by wsbuild build from the spec's folder, which the BuildKit frontend cannot read; build this spec with wsbuild build")}
		}
		b, err := resolveOne(ctx, c, ref, platform)
		if err != nil {
			return nil, err
		}
		out[ref] = b
	}
	return out, nil
}
