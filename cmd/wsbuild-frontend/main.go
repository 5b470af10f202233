// Command wsbuild-frontend is wsbuild as a BuildKit frontend: BuildKit runs
// it from its image (named by `# syntax=` at the top of a spec, or by
// `--frontend gateway.v0 --opt source=IMAGE`) and it builds the spec with
// frontend.Build, the same compiler as the wsbuild CLI.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	_ "github.com/moby/buildkit/util/grpcutil/encoding/proto"
	"github.com/wsbuild/wsbuild/frontend"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := grpcclient.RunFromEnvironment(ctx, frontend.Build); err != nil {
		fmt.Fprintf(os.Stderr, "wsbuild-frontend: %v\n", err)
		os.Exit(1)
	}
}
