package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wsbuild/wsbuild/internal/rig"
)

// bakeFile is the JSON form of a bake file (buildx's docs: "Bake file
// reference"), as much of it as the bench writes.
type bakeFile struct {
	Group  map[string]bakeGroup   `json:"group"`
	Target map[string]*bakeTarget `json:"target"`
}

// bakeGroup lists targets bake builds together.
type bakeGroup struct {
	Targets []string `json:"targets"`
}

// bakeTarget is one image: its Dockerfile, build context, the parent's
// target as the named context its FROM line names, where it is pushed, and
// the registry cache it writes and reads.
type bakeTarget struct {
	Context    string            `json:"context"`
	Dockerfile string            `json:"dockerfile"`
	Contexts   map[string]string `json:"contexts,omitempty"`
	Tags       []string          `json:"tags"`
	Output     []string          `json:"output"`
	CacheFrom  []string          `json:"cache-from,omitempty"`
	CacheTo    []string          `json:"cache-to,omitempty"`
}

// bakeFileFor writes the bake file of images (parents first): one target
// per image named after it, in the group "default", each pushed to
// registry/bakeNS/IMAGE:familyTag, each child's FROM (its parent's name)
// made its parent's target through contexts. dfDir holds IMAGE/Dockerfile
// and ctxDir is every image's build context.
func bakeFileFor(images []dfImage, dfDir, ctxDir, registry string, o buildOpts) bakeFile {
	f := bakeFile{Group: map[string]bakeGroup{"default": {}}, Target: map[string]*bakeTarget{}}
	var names []string
	parents := map[string]string{}
	for _, img := range images {
		parents[img.Name] = img.Parent
	}
	for _, img := range images {
		names = append(names, img.Name)
		output := "type=image,push=true,registry.insecure=true"
		if o.Compression != "" {
			output += ",compression=" + o.Compression + ",force-compression=true"
		}
		t := &bakeTarget{
			Context:    ctxDir,
			Dockerfile: filepath.Join(dfDir, img.Name, "Dockerfile"),
			Tags:       []string{registry + "/" + bakeNS + "/" + img.Name + ":" + familyTag},
			Output:     []string{output},
		}
		if img.Parent != "" {
			t.Contexts = map[string]string{img.Parent: "target:" + img.Parent}
		}
		cache := func(name string) string { return "type=registry,ref=" + registry + "/" + bakeNS + "/cache:" + name }
		if o.CacheTo {
			t.CacheTo = []string{cache(img.Name) + ",mode=max"}
		}
		if o.CacheFrom {
			// Its own cache, then its ancestors', as wsbuild imports them.
			for name := img.Name; name != ""; name = parents[name] {
				t.CacheFrom = append(t.CacheFrom, cache(name))
			}
		}
		f.Target[img.Name] = t
	}
	f.Group["default"] = bakeGroup{Targets: names}
	return f
}

// builder returns a buildx builder on the running buildkitd: a new one
// (remote driver, configuration in a folder of its own) after the daemon
// was restarted.
func (d *bakeSide) builder(ctx context.Context) (*rig.Buildx, error) {
	if d.bx != nil && d.bxAddr == d.env.Addr() {
		return d.bx, nil
	}
	name := fmt.Sprintf("bench%d", d.env.started)
	bx, err := rig.NewBuildx(ctx, d.bin, name, d.env.Addr(), filepath.Join(d.dir, "buildx-"+name))
	if err != nil {
		return nil, fmt.Errorf("making the buildx builder: %w", err)
	}
	d.bx, d.bxAddr = bx, d.env.Addr()
	return bx, nil
}

// Name names the side.
func (d *bakeSide) Name() string { return sideBake }

// Namespace is where the side pushes.
func (d *bakeSide) Namespace() string { return bakeNS }

// Fresh does nothing: bake keeps no state outside buildkitd, and a
// restarted buildkitd gets a builder of its own.
func (d *bakeSide) Fresh() {}

// Unsupported says which scenarios bake does not run: force is wsbuild's
// only and never asked of it; nosbom is the cold build without wsbuild's
// SBOM step, which bake has no counterpart of (it attaches no SBOM unless
// asked).
func (d *bakeSide) Unsupported(scenario string) string {
	if scenario == "nosbom" {
		return "bake attaches no SBOM unless asked: its cold run is the comparison"
	}
	return ""
}

// Build makes o's change in the Dockerfile, bakes the family and undoes
// the change.
func (d *bakeSide) Build(ctx context.Context, label string, o buildOpts) (_ time.Duration, _ map[string]string, _ map[string]int, err error) {
	if o.Change != nil {
		undo, err := d.change(*o.Change)
		if err != nil {
			return 0, nil, nil, err
		}
		defer func() { err = errors.Join(err, undo()) }()
	}
	took, digests, err := d.build(ctx, label, o)
	return took, digests, nil, err
}

// build writes the bake file for o and runs `buildx bake` on it, and
// returns the wall time and each image's pushed manifest digest.
func (d *bakeSide) build(ctx context.Context, label string, o buildOpts) (time.Duration, map[string]string, error) {
	bx, err := d.builder(ctx)
	if err != nil {
		return 0, nil, err
	}
	d.builds++
	stem := filepath.Join(d.run.logDir, fmt.Sprintf("bake-%02d-%s", d.builds, label))
	b, err := json.MarshalIndent(bakeFileFor(d.images, d.dfDir, d.ctxDir, d.env.Registry(), o), "", "  ")
	if err != nil {
		return 0, nil, err
	}
	if err := os.WriteFile(stem+".bake.json", b, 0o644); err != nil {
		return 0, nil, err
	}
	took, err := d.run.run(ctx, "bake-"+label, bx.Env(), bx.Bin, "bake", "-f", stem+".bake.json",
		"--allow", "fs.read="+d.dir, "--progress", "plain", "--metadata-file", stem+".json")
	if err != nil {
		return took, nil, err
	}
	digests, err := bakeDigests(stem+".json", d.images)
	return took, digests, err
}

// bakeDigests reads each image's pushed manifest digest from bake's
// metadata file: one object per target, with buildctl's keys.
func bakeDigests(path string, images []dfImage) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading bake's metadata: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding bake's metadata %q: %w", path, err)
	}
	out := map[string]string{}
	for _, img := range images {
		var t struct {
			Digest string `json:"containerimage.digest"`
		}
		if err := json.Unmarshal(m[img.Name], &t); err != nil || t.Digest == "" {
			return nil, fmt.Errorf("bake's metadata %q has no containerimage.digest for %s (%v)", path, img.Name, err)
		}
		out[img.Name] = t.Digest
	}
	return out, nil
}
