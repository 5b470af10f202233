package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// wsbuildNS is the namespace the wsbuild side pushes to.
const wsbuildNS = "bench-wsbuild"

// familyTag is the tag of every image of the stock catalogue.
const familyTag = "3.11"

// wsbuildSide runs a wsbuild binary on a copy of the stock catalogue whose
// push target is the proxy.
type wsbuildSide struct {
	bin     string
	root    string // the repository, whose catalogue the changes read
	spec    string // the copied catalogue
	setFile string // templates/offline.sets
	dir     string
	env     *rigEnv
	run     *runner
	feat    features
	// extra are flags every `wsbuild build` of the side takes (-wsbuild-flags).
	extra []string

	cacheDir string // WSBUILD_CACHE_DIR of the runs; fresh for a cold build
	caches   int
	builds   int
	// sbomSteps are the seconds each SBOM step took, by build label.
	sbomSteps map[string][]float64
}

// features are the parts of wsbuild's contract that the binary has; the
// bench measures what exists and says what does not.
type features struct {
	lock, force, matrix bool
	// cache is whether `build` takes --cache-to and --cache-from.
	cache bool
	// sbom is whether `build` takes --sbom (and attaches SBOMs).
	sbom bool
}

// builtImage is one image of wsbuild's --metadata-file.
type builtImage struct {
	Name   string   `json:"name"`
	Parent string   `json:"parent"`
	Digest string   `json:"digest"`
	Refs   []string `json:"refs"`
	// Action is "build" or "skip"; empty from a wsbuild without skipping.
	Action string `json:"action"`
}

// newWsbuildSide copies root/templates/catalogue.yaml into dir with its
// push target set to the proxy and only the images named in family (all
// when nil), and probes what bin supports.
func newWsbuildSide(ctx context.Context, bin, root, dir string, family []string, env *rigEnv, run *runner) (*wsbuildSide, error) {
	w := &wsbuildSide{bin: bin, root: root, dir: dir, env: env, run: run,
		spec: filepath.Join(dir, "catalogue.yaml"), setFile: filepath.Join(root, "templates", "offline.sets")}
	b, err := os.ReadFile(filepath.Join(root, "templates", "catalogue.yaml"))
	if err != nil {
		return nil, err
	}
	if b, err = setPush(b, env.Registry(), wsbuildNS); err != nil {
		return nil, fmt.Errorf("templates/catalogue.yaml: %w", err)
	}
	if b, err = keepImages(b, family); err != nil {
		return nil, fmt.Errorf("templates/catalogue.yaml: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(w.spec, b, 0o644); err != nil {
		return nil, err
	}
	w.feat = probe(ctx, bin, dir)
	w.freshCache()
	return w, nil
}

// probe asks bin which parts of the contract it has.
func probe(ctx context.Context, bin, dir string) features {
	var f features
	help, _ := output(ctx, nil, bin, "build", "--help")
	f.force = strings.Contains(help, "--force")
	f.cache = strings.Contains(help, "--cache-from")
	f.sbom = strings.Contains(help, "--sbom")
	_, err := output(ctx, nil, bin, "lock", "--help")
	f.lock = err == nil
	spec := filepath.Join(dir, "matrix-probe.yaml")
	if os.WriteFile(spec, []byte(matrixProbe), 0o644) == nil {
		_, err := output(ctx, nil, bin, "validate", "-f", spec)
		f.matrix = err == nil
	}
	return f
}

// matrixProbe is a spec with a family-level matrix, valid only for a
// wsbuild that expands matrices.
const matrixProbe = `matrix:
  python: ["3.11"]
  cuda: [false]
  tag: "{version}-py{python}-{cuda}"
images:
  probe:
    base: debian:bookworm
    tag: "1"
`

// freshCache points the next runs at an empty WSBUILD_CACHE_DIR.
func (w *wsbuildSide) freshCache() {
	w.caches++
	w.cacheDir = filepath.Join(w.dir, fmt.Sprintf("cache%d", w.caches))
}

// runEnv is the environment wsbuild runs with.
func (w *wsbuildSide) runEnv() []string { return []string{"WSBUILD_CACHE_DIR=" + w.cacheDir} }

// lock writes the catalogue's lock file, when the binary has the command.
func (w *wsbuildSide) lock(ctx context.Context) (time.Duration, error) {
	return w.run.run(ctx, "wsbuild-lock", w.runEnv(), w.bin,
		"lock", "-f", w.spec, "--addr", w.env.Addr(), "--set-file", w.setFile)
}

// Name names the side.
func (w *wsbuildSide) Name() string { return sideWsbuild }

// Namespace is where the side pushes.
func (w *wsbuildSide) Namespace() string { return wsbuildNS }

// Fresh points the next runs at an empty WSBUILD_CACHE_DIR.
func (w *wsbuildSide) Fresh() { w.freshCache() }

// Unsupported says which scenarios this binary cannot run.
func (w *wsbuildSide) Unsupported(scenario string) string {
	if scenario == "cache" && !w.feat.cache {
		return "not supported by this wsbuild (`build --help` has no --cache-from)"
	}
	if scenario == "nosbom" && !w.feat.sbom {
		return "not supported by this wsbuild (`build --help` has no --sbom)"
	}
	return ""
}

// Build builds the family with o's change made by --set and returns its
// wall time, digests and actions.
func (w *wsbuildSide) Build(ctx context.Context, label string, o buildOpts) (time.Duration, map[string]string, map[string]int, error) {
	var sets []string
	if o.Change != nil {
		set, err := o.Change.wsbuildSet(w.root)
		if err != nil {
			return 0, nil, nil, err
		}
		sets = append(sets, set)
	}
	took, imgs, err := w.build(ctx, label, o, sets...)
	if err != nil {
		return took, nil, nil, err
	}
	digests, actions := map[string]string{}, map[string]int{}
	for _, img := range imgs {
		digests[img.Name] = img.Digest
		actions[img.Action]++
	}
	return took, digests, actions, nil
}

// build runs `wsbuild build --push` with sets and o (--force only when supported,
// the registry cache at registry/wsbuildNS/cache) and returns its wall time
// and metadata.
func (w *wsbuildSide) build(ctx context.Context, label string, o buildOpts, sets ...string) (time.Duration, []builtImage, error) {
	w.builds++
	meta := filepath.Join(w.run.logDir, fmt.Sprintf("wsbuild-%02d-%s.json", w.builds, label))
	args := []string{"build", "-f", w.spec, "--push", "--addr", w.env.Addr(), "--progress", "plain",
		"--set-file", w.setFile, "--metadata-file", meta}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	if o.Force && w.feat.force {
		args = append(args, "--force")
	}
	if o.Compression != "" {
		args = append(args, "--compression", o.Compression)
	}
	if o.NoSBOM {
		args = append(args, "--sbom=false")
	}
	args = append(args, w.extra...)
	cache := "type=registry,ref=" + w.env.Registry() + "/" + wsbuildNS + "/cache"
	if o.CacheTo {
		args = append(args, "--cache-to", cache+",mode=max")
	}
	if o.CacheFrom {
		args = append(args, "--cache-from", cache)
	}
	took, err := w.run.run(ctx, "wsbuild-"+label, w.runEnv(), w.bin, args...)
	if err != nil {
		return took, nil, err
	}
	if w.sbomSteps == nil {
		w.sbomSteps = map[string][]float64{}
	}
	w.sbomSteps[label] = sbomStepSeconds(readLog(w.run.lastLog))
	b, err := os.ReadFile(meta)
	if err != nil {
		return took, nil, fmt.Errorf("reading wsbuild's metadata: %w", err)
	}
	var m struct {
		Images []builtImage `json:"images"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return took, nil, fmt.Errorf("decoding wsbuild's metadata %q: %w", meta, err)
	}
	return took, m.Images, nil
}
