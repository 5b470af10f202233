package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// runExport writes built images of a spec to an OCI image layout.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf specFlags
	var ef imageFlags
	var rf registryFlags
	var o pipeline.Options
	var out string
	fs := newFlags("export", "export "+specSynopsis+synopsisIndent+
		imageSynopsis+synopsisIndent+registrySynopsis+synopsisIndent+"-o PATH [IMAGE...]", stdout)
	sf.register(fs)
	ef.register(fs)
	rf.register(fs)
	fs.Lookup("registry").Usage = "read the images from `HOST` instead of the registry of the spec's first push target"
	fs.Lookup("namespace").Usage = "read the images from namespace `NS` instead of the first push target's"
	fs.StringVarP(&out, "output", "o", "", "write the OCI image layout to `PATH`: a tarball when it ends in .tar, else a folder")
	if err := parse(fs, args); err != nil {
		return err
	}
	if out == "" {
		return usageError{errors.New("export needs -o PATH")}
	}
	sf.apply(&o)
	if err := ef.apply(&o); err != nil {
		return err
	}
	if err := rf.apply(&o); err != nil {
		return err
	}
	o.Images, o.Log = fs.Args(), stderr
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	exported, err := r.Export(ctx, o, out)
	if err != nil {
		return err
	}
	printCopied(stdout, exported)
	return nil
}

// runImport pushes the images of an OCI image layout export wrote.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var rf registryFlags
	var o pipeline.Options
	fs := newFlags("import", "import "+registrySynopsis+synopsisIndent+"[--allow-insecure-registry REGISTRY] PATH", stdout)
	rf.register(fs)
	fs.StringArrayVar(&o.AllowInsecure, "allow-insecure-registry", nil, "push to `REGISTRY` over plain HTTP (loopback and private addresses are reached so anyway)")
	fs.Lookup("registry").Usage = "push to `HOST` (needed)"
	fs.Lookup("namespace").Usage = "push under namespace `NS` (default: none)"
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("import takes one PATH: the folder or tarball wsbuild export wrote")}
	}
	if err := rf.apply(&o); err != nil {
		return err
	}
	o.Log = stderr
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	imported, err := r.Import(ctx, o, fs.Arg(0))
	if err != nil {
		return err
	}
	printCopied(stdout, imported)
	return nil
}

// printCopied prints a line per image: name, digest, where it came from
// and where it went.
func printCopied(w io.Writer, copied []pipeline.Promoted) {
	for _, p := range copied {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Name, p.Digest, p.From, strings.Join(p.Refs, "\t"))
	}
}
