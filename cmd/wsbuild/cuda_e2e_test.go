package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/llb"
)

// cudaLeg builds the catalogue's PyTorch image on the CUDA 12.4 leg, with
// the CUDA table's base replaced by the local stand-in Debian base (no GPU
// and no nvidia/cuda image here), pushes it and reads the leg back from the
// pushed config. Which PyTorch index the leg uses is proven from the LLB by
// llb's TestCatalogueLegs.
func cudaLeg(t *testing.T, specPath, dir, registry string) {
	standIn := registry + "/library/debian:bookworm"
	meta := filepath.Join(t.TempDir(), "meta.json")
	code, stderr := wsbuild(t, "build", "-f", specPath, "--set-file", filepath.Join(dir, "offline.sets"),
		"--set", `python.cuda={version: "12.4", base: "`+standIn+`"}`,
		"--set", "python.tag=3.11-cuda12.4", "--set", "python-pytorch.tag=3.11-cuda12.4",
		"--push", "--progress", "plain", "--metadata-file", meta, "python-pytorch")
	if code != 0 {
		t.Fatalf("building the CUDA leg: exit %d\n%s", code, lastLines(stderr, 40))
	}
	if got := readMetadata(t, meta)["python"]["base"]; got != standIn {
		t.Errorf("the CUDA leg was built on %v, want the override %s", got, standIn)
	}
	for _, name := range []string{"python", "python-pytorch"} {
		cfg, err := pull(t, registry+"/catalogue/"+name+":3.11-cuda12.4").ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		env := cfg.Config.Env
		for _, want := range []string{"NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_DRIVER_CAPABILITIES=compute,utility"} {
			if !slices.Contains(env, want) {
				t.Errorf("%s: %s is not in the pushed config's env %q", name, want, env)
			}
		}
		if got := cfg.Config.Labels["org.opencontainers.image.base.name"]; got != standIn {
			t.Errorf("%s: base label %q, want %q", name, got, standIn)
		}
		if !slices.Equal(cfg.Config.Entrypoint, []string{llb.InitPath}) || !strings.HasPrefix(cfg.Config.User, "1000:") {
			t.Errorf("%s: entrypoint %q user %q", name, cfg.Config.Entrypoint, cfg.Config.User)
		}
	}
}
