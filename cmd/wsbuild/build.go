package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// runBuild builds the selected images and, with --push, pushes them.
func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf specFlags
	var df daemonFlags
	var ef imageFlags
	var rf registryFlags
	var scf secretFlags
	var cf cacheFlags
	var o pipeline.Options
	var metadataFile string
	fs := newFlags("build", "build "+specSynopsis+" "+daemonSynopsis+synopsisIndent+
		"[--push [--force] [--push-from FROM]] [--progress MODE] [--metadata-file FILE] [--no-cache] "+imageSynopsis+synopsisIndent+
		"[--with-dependents] [--sbom=false] [--provenance=false] "+limitSynopsis+" "+cacheSynopsis+synopsisIndent+registrySynopsis+synopsisIndent+secretSynopsis+" [IMAGE...]", stdout)
	sf.register(fs)
	df.register(fs)
	ef.register(fs)
	rf.register(fs)
	scf.register(fs)
	cf.register(fs)
	fs.BoolVar(&o.Push, "push", false, "push every built image to the spec's push targets")
	fs.StringVar(&o.PushFrom, "push-from", pipeline.PushFromAuto, "what sends the blobs of pushed images to the registry, `FROM`: wsbuild (the daemon exports them to wsbuild), daemon (buildkitd pushes them by digest; wsbuild moves only manifests and tags), or auto: daemon, but wsbuild for zstd images and for a buildkitd in a container on this host (docker-container://, podman-container://, ...), which may not reach a registry on this host's loopback")
	fs.BoolVar(&o.NoCache, "no-cache", false, "do not use BuildKit's cache")
	fs.BoolVar(&o.Force, "force", false, "build every selected image, even those whose pushed tags are up to date")
	fs.BoolVar(&o.WithDependents, "with-dependents", false, "also build every image built on a named one")
	sbom, prov := true, true
	fs.BoolVar(&sbom, "sbom", true, "with --push, attach to every image an SPDX SBOM of the packages it holds, listed by a step inside the build")
	fs.BoolVar(&prov, "provenance", true, "with --push, attach to every image SLSA provenance (spec, inputs, bases, versions, times)")
	fs.StringVar(&o.Progress, "progress", "auto", "progress output `MODE`: auto, tty, plain, rawjson or quiet")
	registerCacheLimit(fs, &o)
	fs.StringVar(&metadataFile, "metadata-file", "", "write every image's refs and digests to the JSON `FILE`")
	if err := parse(fs, args); err != nil {
		return err
	}
	sf.apply(&o)
	if err := df.apply(&o, stderr); err != nil {
		return err
	}
	if err := ef.apply(&o); err != nil {
		return err
	}
	if err := rf.apply(&o); err != nil {
		return err
	}
	if err := scf.apply(&o); err != nil {
		return err
	}
	if err := cf.apply(&o); err != nil {
		return err
	}
	o.Images = fs.Args()
	o.NoSBOM, o.NoProvenance, o.Version = !sbom, !prov, clientVersion().Wsbuild.Version
	if metadataFile != "" {
		o.Vet = vetMetadataNames
	}
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	res, err := r.Build(ctx, o)
	if err != nil {
		return err
	}
	for _, b := range res.Images {
		fmt.Fprintf(stdout, "%s\t%s\t%s", b.Name, b.Action, b.Digest)
		for _, r := range b.Refs {
			fmt.Fprintf(stdout, "\t%s", r)
		}
		fmt.Fprintln(stdout)
	}
	if metadataFile != "" {
		return writeMetadata(metadataFile, res.Images)
	}
	return nil
}
