package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// dockerfileNS is the namespace the Dockerfiles push to and pull parents
// from; their FROM lines name it.
const dockerfileNS = "bench-dockerfile"

// changeMarker is the line of every Dockerfile that the change scenarios
// replace with an ENV line.
const changeMarker = "# bench: changes go here"

// dockerfileSide builds the family the way per-image scripts do: one
// Dockerfile per image, built one after another with buildctl, each pushed
// and each child pulling its parent back from the registry.
type dockerfileSide struct {
	env    *rigEnv
	run    *runner
	dfDir  string    // a copy of bench/dockerfiles, which the change scenarios edit
	ctxDir string    // the build context: files/ (templates/files, checks/ included)
	images []dfImage // in build order
}

// dfImage is one Dockerfile of the family.
type dfImage struct {
	Name, Parent string
}

var fromParent = regexp.MustCompile(`(?m)^FROM\s+\$\{REGISTRY\}/` + dockerfileNS + `/([a-z0-9._-]+):`)

// newDockerfileSide copies the Dockerfiles of root/bench/dockerfiles into
// dir, assembles their build context from root/templates/files (the check
// stages run its checks/*.sh, the scripts wsbuild's compiler runs), and
// orders the images parents first.
func newDockerfileSide(root, dir string, env *rigEnv, run *runner) (*dockerfileSide, error) {
	d := &dockerfileSide{env: env, run: run, dfDir: filepath.Join(dir, "dockerfiles"), ctxDir: filepath.Join(dir, "context")}
	src := filepath.Join(root, "bench", "dockerfiles")
	if err := copyDir(filepath.Join(root, "templates", "files"), filepath.Join(d.ctxDir, "files")); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return nil, fmt.Errorf("reading the Dockerfiles: %w", err)
	}
	var images []dfImage
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name(), "Dockerfile"))
		if err != nil {
			return nil, err
		}
		if !strings.Contains(string(b), changeMarker) {
			return nil, fmt.Errorf("%s/Dockerfile has no %q line", e.Name(), changeMarker)
		}
		img := dfImage{Name: e.Name()}
		if m := fromParent.FindSubmatch(b); m != nil {
			img.Parent = string(m[1])
		}
		images = append(images, img)
		if err := copyDir(filepath.Join(src, e.Name()), filepath.Join(d.dfDir, e.Name())); err != nil {
			return nil, err
		}
	}
	if d.images, err = parentsFirst(images); err != nil {
		return nil, err
	}
	return d, nil
}

// parentsFirst orders images so that every parent comes before its
// children, keeping the given order otherwise.
func parentsFirst(images []dfImage) ([]dfImage, error) {
	byName := map[string]dfImage{}
	for _, img := range images {
		byName[img.Name] = img
	}
	var out []dfImage
	done := map[string]bool{}
	var visit func(img dfImage, depth int) error
	visit = func(img dfImage, depth int) error {
		if done[img.Name] {
			return nil
		}
		if depth > len(images) {
			return fmt.Errorf("the Dockerfiles' FROM lines make a cycle through %q", img.Name)
		}
		if img.Parent != "" {
			p, ok := byName[img.Parent]
			if !ok {
				return fmt.Errorf("%s/Dockerfile is built FROM %q, which has no Dockerfile", img.Name, img.Parent)
			}
			if err := visit(p, depth+1); err != nil {
				return err
			}
		}
		done[img.Name] = true
		out = append(out, img)
		return nil
	}
	for _, img := range images {
		if err := visit(img, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Family maps each image to its parent ("" for the root).
func (d *dockerfileSide) Family() map[string]string {
	out := map[string]string{}
	for _, img := range d.images {
		out[img.Name] = img.Parent
	}
	return out
}

// ref is where image is pushed.
func (d *dockerfileSide) ref(image string) string {
	return d.env.Registry() + "/" + dockerfileNS + "/" + image + ":" + familyTag
}

// buildAll builds and pushes every image in order, as a CI job over the
// folder of Dockerfiles does, and returns the total wall time, each image's
// own time and each image's manifest digest.
func (d *dockerfileSide) buildAll(ctx context.Context, label string) (time.Duration, map[string]time.Duration, map[string]string, error) {
	var total time.Duration
	each := map[string]time.Duration{}
	digests := map[string]string{}
	for _, img := range d.images {
		meta := filepath.Join(d.run.logDir, fmt.Sprintf("%s-%s.json", label, img.Name))
		took, err := d.run.run(ctx, "dockerfile-"+label+"-"+img.Name, nil, d.env.buildctl,
			"--addr", d.env.Addr(), "build",
			"--frontend", "dockerfile.v0",
			"--local", "context="+d.ctxDir,
			"--local", "dockerfile="+filepath.Join(d.dfDir, img.Name),
			"--opt", "build-arg:REGISTRY="+d.env.Registry(),
			"--output", "type=image,name="+d.ref(img.Name)+",push=true,registry.insecure=true",
			"--progress", "plain",
			"--metadata-file", meta)
		total += took
		each[img.Name] = took
		if err != nil {
			return total, each, digests, err
		}
		if digests[img.Name], err = buildctlDigest(meta); err != nil {
			return total, each, digests, err
		}
	}
	return total, each, digests, nil
}

// buildctlDigest reads the pushed manifest's digest from buildctl's
// metadata file.
func buildctlDigest(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading buildctl metadata: %w", err)
	}
	var m struct {
		Digest string `json:"containerimage.digest"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("decoding buildctl metadata %q: %w", path, err)
	}
	return m.Digest, nil
}

// change replaces the change marker of image's Dockerfile with
// "ENV BENCH_CHANGE=value", the same edit the wsbuild side makes with --set;
// the returned function undoes it.
func (d *dockerfileSide) change(image, value string) (undo func() error, err error) {
	path := filepath.Join(d.dfDir, image, "Dockerfile")
	orig, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	edited := strings.Replace(string(orig), changeMarker, "ENV BENCH_CHANGE="+value, 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		return nil, err
	}
	return func() error { return os.WriteFile(path, orig, 0o644) }, nil
}

// copyDir copies the regular files under src to dst, keeping their modes.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
}
