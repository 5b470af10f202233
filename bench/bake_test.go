package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBakeFile checks the bake file of each family against the catalogue:
// one target per image of the family, pushed to the bake namespace with
// the catalogue's tag, built from that image's Dockerfile, and a child's
// FROM (its parent's name) made the parent's target through contexts; and
// that the compression and cache options reach every target.
func TestBakeFile(t *testing.T) {
	const registry = "127.0.0.1:5999"
	catalogue := catalogueFamily(t)
	for _, name := range familyNames() {
		t.Run(name, func(t *testing.T) {
			d, err := newBakeSide("..", t.TempDir(), families[name], "buildx", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := families[name]
			if want == nil {
				want = slices.Sorted(maps.Keys(catalogue))
			}
			raw, err := json.Marshal(bakeFileFor(d.images, d.dfDir, d.ctxDir, registry, buildOpts{}))
			if err != nil {
				t.Fatal(err)
			}
			var f bakeFile // read back, as buildx reads it
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(maps.Keys(f.Target)); !slices.Equal(got, want) {
				t.Errorf("targets %v, want the family's images %v", got, want)
			}
			if got := slices.Sorted(slices.Values(f.Group["default"].Targets)); !slices.Equal(got, want) {
				t.Errorf("the default group builds %v, want %v", got, want)
			}
			for img, tg := range f.Target {
				if ref := registry + "/" + bakeNS + "/" + img + ":" + familyTag; !slices.Equal(tg.Tags, []string{ref}) {
					t.Errorf("%s: tags %v, want [%s]", img, tg.Tags, ref)
				}
				if tg.Context != d.ctxDir {
					t.Errorf("%s: context %q, want %q", img, tg.Context, d.ctxDir)
				}
				df, err := os.ReadFile(tg.Dockerfile)
				if err != nil || filepath.Base(filepath.Dir(tg.Dockerfile)) != img {
					t.Errorf("%s: dockerfile %q is not its own (%v)", img, tg.Dockerfile, err)
					continue
				}
				from := fromImage.FindSubmatch(df)
				parent := catalogue[img]
				switch {
				case parent == "" && tg.Contexts != nil:
					t.Errorf("%s: the root has contexts %v", img, tg.Contexts)
				case parent != "" && !maps.Equal(tg.Contexts, map[string]string{parent: "target:" + parent}):
					t.Errorf("%s: contexts %v, want its parent's target %s", img, tg.Contexts, parent)
				case parent != "" && (from == nil || string(from[1]) != parent):
					t.Errorf("%s: its Dockerfile's FROM is not its parent %q: %q", img, parent, from)
				}
				if !slices.Equal(tg.Output, []string{"type=image,push=true,registry.insecure=true"}) || tg.CacheFrom != nil || tg.CacheTo != nil {
					t.Errorf("%s: output %v, cache from %v, to %v", img, tg.Output, tg.CacheFrom, tg.CacheTo)
				}
			}
		})
	}
	d, err := newBakeSide("..", t.TempDir(), families["small"], "buildx", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := bakeFileFor(d.images, d.dfDir, d.ctxDir, registry, buildOpts{Compression: "zstd", CacheTo: true, CacheFrom: true})
	refs := map[string]bool{}
	for img, tg := range f.Target {
		if len(tg.Output) != 1 || !strings.HasSuffix(tg.Output[0], ",compression=zstd,force-compression=true") {
			t.Errorf("%s: zstd output %v", img, tg.Output)
		}
		ref := "type=registry,ref=" + registry + "/" + bakeNS + "/cache:" + img
		var from []string // its own cache, then its ancestors'
		for a := img; a != ""; a = d.parentOf(a) {
			from = append(from, "type=registry,ref="+registry+"/"+bakeNS+"/cache:"+a)
		}
		if !slices.Equal(tg.CacheFrom, from) || !slices.Equal(tg.CacheTo, []string{ref + ",mode=max"}) {
			t.Errorf("%s: cache from %v, to %v", img, tg.CacheFrom, tg.CacheTo)
		}
		refs[ref] = true
	}
	if len(refs) != len(f.Target) {
		t.Errorf("targets share cache refs: %v", refs)
	}
}

// TestChanges checks each change scenario on both sides: wsbuild's --set
// parses against the catalogue and adds the package to the image's own
// apt packages, keeping those it has; the Dockerfile edit installs it where
// the marker was.
func TestChanges(t *testing.T) {
	base, err := parseCatalogue("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		t.Run(c.Scenario, func(t *testing.T) {
			set, err := c.wsbuildSet("..")
			if err != nil {
				t.Fatal(err)
			}
			f, err := parseCatalogue("..", set)
			if err != nil {
				t.Fatalf("--set %s: %v", set, err)
			}
			if want := append(slices.Clone(base.Images[c.Image].Apt), c.Package); !slices.Equal(f.Images[c.Image].Apt, want) {
				t.Errorf("--set %s: apt %v, want %v", set, f.Images[c.Image].Apt, want)
			}
			df, err := os.ReadFile(filepath.Join("dockerfiles", c.Image, "Dockerfile"))
			if err != nil {
				t.Fatal(err)
			}
			edited, err := c.editDockerfile(string(df))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(edited, ownAptMarker) || !strings.Contains(edited, "APT::Keep-Downloaded-Packages=true "+c.Package+";") {
				t.Errorf("the edited Dockerfile does not install %s in place of the marker:\n%s", c.Package, edited)
			}
			if _, err := c.editDockerfile("FROM x AS image\n"); err == nil {
				t.Error("a Dockerfile without the marker was edited")
			}
		})
	}
	if base.Images[rootImage].From != "" {
		t.Errorf("%s is not the root", rootImage)
	}
}

// TestKeepImages checks that the small family's spec plans to its three
// images, each on the catalogue's parent, and that a missing name fails.
func TestKeepImages(t *testing.T) {
	data, err := os.ReadFile("../templates/catalogue.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := keepImages(data, families["small"])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "push:") {
		t.Errorf("the push targets were lost:\n%s", out)
	}
	dir := t.TempDir()
	for _, f := range []string{"catalogue.yaml", "offline.sets"} {
		b := out
		if f == "offline.sets" {
			if b, err = os.ReadFile("../templates/offline.sets"); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "templates", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := parseCatalogue(dir)
	if err != nil {
		t.Fatal(err)
	}
	full := catalogueFamily(t)
	if !slices.Equal(slices.Sorted(slices.Values(f.Names)), families["small"]) {
		t.Errorf("images %v, want %v", f.Names, families["small"])
	}
	for _, n := range f.Names {
		if got := f.Images[n].From; got != full[n] {
			t.Errorf("%s is on %q, the catalogue's on %q", n, got, full[n])
		}
	}
	if _, err := keepImages(data, []string{"python", "nope"}); err == nil {
		t.Error("a family naming an image the spec lacks was kept")
	}
	if _, err := selectImages([]dfImage{{"a", ""}, {"b", "a"}}, []string{"b"}); err == nil {
		t.Error("a family without a parent was selected")
	}
}

// parentOf is the parent of the image named name in d, "" for none.
func (d *bakeSide) parentOf(name string) string {
	for _, img := range d.images {
		if img.Name == name {
			return img.Parent
		}
	}
	return ""
}

// TestBakeUnsafeIO proves -bake-unsafe-io gives every apt-get install of the
// copied Dockerfiles dpkg's --force-unsafe-io, and leaves the sources alone.
func TestBakeUnsafeIO(t *testing.T) {
	d, err := newBakeSide("..", t.TempDir(), nil, "buildx", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.unsafeIO(); err != nil {
		t.Fatal(err)
	}
	var installs int
	for _, img := range d.images {
		b, err := os.ReadFile(filepath.Join(d.dfDir, img.Name, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(b), aptInstall)
		installs += n
		if with := strings.Count(string(b), aptInstall+" -o DPkg::Options::=--force-unsafe-io"); with != n {
			t.Errorf("%s: %d of %d installs have --force-unsafe-io", img.Name, with, n)
		}
		src, err := os.ReadFile(filepath.Join("dockerfiles", img.Name, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "force-unsafe-io") {
			t.Errorf("%s: the source Dockerfile was changed", img.Name)
		}
	}
	if installs == 0 {
		t.Fatal("no apt-get install in the Dockerfiles")
	}
}
