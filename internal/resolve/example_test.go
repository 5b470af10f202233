package resolve_test

import (
	"context"
	"fmt"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wsbuild/wsbuild/internal/resolve"
	"github.com/wsbuild/wsbuild/llb"
)

// baseResolver is the seam a planner resolves bases through; both this
// package's Resolver and internal/solve's Solver satisfy it.
type baseResolver interface {
	ResolveBases(ctx context.Context, refs []string, platform ocispec.Platform) (map[string]llb.Base, error)
}

// Planning without a buildkitd: registry mirrors and plain-HTTP registries
// from $WSBUILD_BUILDKITD_CONFIG, credentials from the Docker config.
func ExampleNew() {
	r, err := resolve.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	var bases baseResolver = r
	resolved, err := bases.ResolveBases(context.Background(), []string{"debian:bookworm"},
		ocispec.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resolved["debian:bookworm"].Ref) // docker.io/library/debian:bookworm@sha256:...
}
