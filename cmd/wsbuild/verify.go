package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// runVerify reads an image's SBOM and provenance back and checks them
// against the spec at hand.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf specFlags
	var ef imageFlags
	var rf registryFlags
	var o pipeline.Options
	fs := newFlags("verify", "verify "+specSynopsis+" "+imageSynopsis+synopsisIndent+registrySynopsis+" IMAGE", stdout)
	sf.register(fs)
	ef.register(fs)
	rf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("verify takes one IMAGE: a tag or a digest reference")}
	}
	sf.apply(&o)
	if err := ef.apply(&o); err != nil {
		return err
	}
	if err := rf.apply(&o); err != nil {
		return err
	}
	o.Log = stderr
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	v, err := r.Verify(ctx, o, fs.Arg(0))
	if err != nil {
		return err
	}
	p := v.Provenance
	fmt.Fprintf(stdout, "verified %s\n  image %s (%s), index %s\n  input digest %s, as the spec at hand gives it (built from %s)\n  SBOM: %d packages\n  provenance: built by wsbuild %s on BuildKit %s (%s builder), %s to %s\n",
		v.Ref, v.Image, v.Name, v.Digest, v.InputDigest, p.SpecPath, v.Packages, p.Wsbuild, p.BuildKit, p.Builder,
		p.Started.Format("2006-01-02 15:04:05Z07:00"), p.Finished.Format("15:04:05Z07:00"))
	return nil
}
