package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/wsbuild/wsbuild/internal/frontendimage"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// run assembles the image as the flags in args say and stores it; getenv
// gives SOURCE_DATE_EPOCH.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var b frontendimage.Binaries
	if b.Frontend, err = os.ReadFile(f.frontend); err != nil {
		return fmt.Errorf("reading the frontend binary: %w", err)
	}
	if b.Probe, err = os.ReadFile(f.probe); err != nil {
		return fmt.Errorf("reading the probe binary: %w", err)
	}
	created := time.Unix(0, 0)
	if s := getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := spec.ParseSourceDateEpoch(s)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
		}
		created = time.Unix(n, 0)
	}
	img, err := frontendimage.Assemble(b,
		frontendimage.WithPlatformString(f.platform),
		frontendimage.WithCreated(created),
		frontendimage.WithVersion(f.version),
		frontendimage.WithSource(f.source))
	if err != nil {
		return err
	}
	if f.ociLayout != "" {
		if err := frontendimage.WriteLayout(f.ociLayout, img, f.ref); err != nil {
			return err
		}
	}
	if f.tarball != "" {
		if err := frontendimage.WriteTarball(f.tarball, img, f.ref); err != nil {
			return err
		}
	}
	if f.push == "" {
		d, err := img.Digest()
		if err != nil {
			return fmt.Errorf("computing the image digest: %w", err)
		}
		_, err = fmt.Fprintln(stdout, d)
		return err
	}
	var opts []frontendimage.PushOption
	if f.insecure {
		if !spec.PlainHTTPSafe(pushRegistry(f.push)) {
			fmt.Fprintf(stderr, "frontend-image: warning: pushing %q over plain HTTP to a registry that is not on a loopback or private address\n", f.push)
		}
		opts = append(opts, frontendimage.WithInsecure())
	}
	d, err := frontendimage.Push(ctx, img, f.push, opts...)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, d)
	return err
}

// pushRegistry is the registry host[:port] of ref, or ref itself when it does
// not parse (Push then says why).
func pushRegistry(ref string) string {
	r, err := name.ParseReference(ref)
	if err != nil {
		return ref
	}
	return r.Context().RegistryStr()
}
