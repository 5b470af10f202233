// Command wsbuild-probe proves that a started workstation image serves:
// Jupyter, VNC, noVNC and sshd answer with the credentials the container was
// given and refuse others, and the desktop's processes run. It is built
// statically (CGO_ENABLED=0) and mounted into the build step that checks an
// image, so the image need not contain it; `wsbuild-probe sbom` lists the
// packages of a finished image the same way, for its SBOM. See
// internal/probe for the command line.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/wsbuild/wsbuild/internal/probe"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := probe.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
