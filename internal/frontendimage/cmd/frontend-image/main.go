// Command frontend-image assembles wsbuild's BuildKit frontend image from two
// static binaries (see package frontendimage) and pushes it, writes it into an
// OCI layout, or writes it as a tarball. `make frontend-image` builds the
// binaries and runs it:
//
//	frontend-image --frontend BIN --probe BIN [--platform linux/amd64] [--version V]
//	    [--push REF [--insecure]] [--oci-layout DIR] [--tarball FILE [--ref REF]]
//
// SOURCE_DATE_EPOCH, when set, is the image's one timestamp (default 0). It
// prints the image's reference by digest (REPO@sha256:...), or only the
// digest when it pushed nowhere.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "frontend-image:", err)
		os.Exit(1)
	}
}

// flags are the command's flags.
type flags struct {
	frontend, probe, platform, version, source string
	push, ref, ociLayout, tarball              string
	insecure                                   bool
}

func parse(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := pflag.NewFlagSet("frontend-image", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.frontend, "frontend", "", "static wsbuild-frontend `BINARY` (required)")
	fs.StringVar(&f.probe, "probe", "", "static wsbuild-probe `BINARY` (required)")
	fs.StringVar(&f.platform, "platform", "linux/amd64", "the image's `OS/ARCH[/VARIANT]`; the binaries must match it")
	fs.StringVar(&f.version, "version", "dev", "org.opencontainers.image.version label")
	fs.StringVar(&f.source, "source", "https://github.com/wsbuild/wsbuild", "org.opencontainers.image.source label")
	fs.StringVar(&f.push, "push", "", "push the image to `REF` (registry/repo:tag)")
	fs.BoolVar(&f.insecure, "insecure", false, "push over plain HTTP (a loopback test registry)")
	fs.StringVar(&f.ociLayout, "oci-layout", "", "write the image into the OCI layout `DIR`")
	fs.StringVar(&f.tarball, "tarball", "", "write the image as a docker-load tarball `FILE`")
	fs.StringVar(&f.ref, "ref", "", "the name recorded in the layout or tarball (default: --push's REF, else wsbuild/wsbuild-frontend:VERSION)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("unexpected arguments %q", fs.Args())
	case f.frontend == "" || f.probe == "":
		return f, fmt.Errorf("--frontend and --probe are required")
	case f.push == "" && f.ociLayout == "" && f.tarball == "":
		return f, fmt.Errorf("nothing to do: give --push, --oci-layout or --tarball")
	case f.insecure && f.push == "":
		return f, fmt.Errorf("--insecure goes with --push")
	}
	if f.ref == "" {
		f.ref = f.push
	}
	if f.ref == "" {
		f.ref = "wsbuild/wsbuild-frontend:" + f.version
	}
	return f, nil
}
