package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/wsbuild/wsbuild/internal/rig"
)

// bakeNS is the namespace the bake side pushes to.
const bakeNS = "bench-bake"

// bakeSide builds the family from one Dockerfile per image with `docker
// buildx bake` (buildx's remote driver on the bench's buildkitd, no Docker
// engine): one bake file, every child taking its parent's target as the
// build context its FROM names, so bake builds the family in one graph.
type bakeSide struct {
	env    *rigEnv
	run    *runner
	bin    string    // buildx
	dir    string    // the side's folder: Dockerfiles, context, buildx configurations, bake files
	dfDir  string    // a copy of bench/dockerfiles, which the change scenarios edit
	ctxDir string    // the build context: files/ (templates/files, checks/ included)
	images []dfImage // in build order

	bx     *rig.Buildx // the builder on the running buildkitd
	bxAddr string      // its buildkitd's address
	builds int
}

// dfImage is one Dockerfile of the family.
type dfImage struct {
	Name, Parent string
}

// fromImage is the first FROM line of a Dockerfile: the image stage is
// built FROM its base image or its parent's name, which the bake file
// makes its parent's target.
var fromImage = regexp.MustCompile(`(?m)^FROM\s+(\S+)\s+AS\s+image\s*$`)

// newBakeSide copies the Dockerfiles of root/bench/dockerfiles of the
// images named in family (all when nil) into dir, assembles their build
// context from root/templates/files (the check stages run its checks/*.sh,
// the scripts wsbuild's compiler runs), and orders the images parents
// first. buildx is the binary to run.
func newBakeSide(root, dir string, family []string, buildx string, env *rigEnv, run *runner) (*bakeSide, error) {
	d := &bakeSide{env: env, run: run, bin: buildx, dir: dir, dfDir: filepath.Join(dir, "dockerfiles"), ctxDir: filepath.Join(dir, "context")}
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
		m := fromImage.FindSubmatch(b)
		if m == nil {
			return nil, fmt.Errorf("%s/Dockerfile has no FROM ... AS image line", e.Name())
		}
		img := dfImage{Name: e.Name()}
		if base := string(m[1]); !strings.ContainsAny(base, ":/@") {
			img.Parent = base // a family image: FROM python AS image
		}
		images = append(images, img)
	}
	if images, err = parentsFirst(images); err != nil {
		return nil, err
	}
	if d.images, err = selectImages(images, family); err != nil {
		return nil, err
	}
	for _, img := range d.images {
		if err := copyDir(filepath.Join(src, img.Name), filepath.Join(d.dfDir, img.Name)); err != nil {
			return nil, err
		}
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
func (d *bakeSide) Family() map[string]string {
	out := map[string]string{}
	for _, img := range d.images {
		out[img.Name] = img.Parent
	}
	return out
}

// change makes c in the copy of its image's Dockerfile; the returned
// function undoes it.
func (d *bakeSide) change(c change) (undo func() error, err error) {
	path := filepath.Join(d.dfDir, c.Image, "Dockerfile")
	orig, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	edited, err := c.editDockerfile(string(orig))
	if err != nil {
		return nil, err
	}
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

// aptInstall starts every apt-get install of the Dockerfiles.
const aptInstall = "apt-get install -y -qq --no-install-recommends"

// unsafeIO gives every apt-get install of d's Dockerfiles dpkg's
// --force-unsafe-io, as wsbuild's compiled installs have it (llb/apt.go),
// so a comparison can leave that option out of the difference.
func (d *bakeSide) unsafeIO() error {
	for _, img := range d.images {
		path := filepath.Join(d.dfDir, img.Name, "Dockerfile")
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := string(b)
		if !strings.Contains(s, aptInstall) {
			continue
		}
		s = strings.ReplaceAll(s, aptInstall, aptInstall+" -o DPkg::Options::=--force-unsafe-io")
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			return err
		}
	}
	return nil
}
