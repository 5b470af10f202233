// Package frontend is wsbuild as a BuildKit frontend: Build reads a spec
// the way the Dockerfile frontend reads a Dockerfile (its build options,
// build args, target, platform, labels and named contexts), and compiles
// and checks the target image with the same planner and compiler as the
// wsbuild CLI: one compiler, two entrances.
package frontend

import (
	"context"
	"errors"

	"github.com/moby/buildkit/frontend/gateway/client"
)

// Build builds the target image of the spec BuildKit hands the frontend.
func Build(ctx context.Context, c client.Client) (*client.Result, error) {
	return nil, errors.New("wsbuild-frontend: not implemented yet")
}
