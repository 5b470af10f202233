package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/wsbuild/wsbuild/internal/plan"
)

// cataloguePlan plans templates/catalogue.yaml with templates/offline.sets
// (and sets), as the bench builds it.
func cataloguePlan(t *testing.T, sets ...string) *plan.Plan {
	t.Helper()
	f, err := parseCatalogue("..", sets...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// catalogueFamily plans the catalogue as cataloguePlan does and returns each
// image's parent.
func catalogueFamily(t *testing.T, sets ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range cataloguePlan(t, sets...).Nodes {
		out[n.Name] = ""
		if n.Parent != nil {
			out[n.Name] = n.Parent.Name
		}
		if n.Tag != familyTag {
			t.Errorf("%s has tag %q; the bake side pushes every image as %q", n.Name, n.Tag, familyTag)
		}
	}
	return out
}

// TestDockerfilesMirrorCatalogue checks that bench/dockerfiles has one
// Dockerfile per catalogue image, built FROM the same parent, parents
// first.
func TestDockerfilesMirrorCatalogue(t *testing.T) {
	want := catalogueFamily(t)
	d, err := newBakeSide("..", t.TempDir(), nil, "buildx", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	have := d.Family()
	if len(have) != len(want) {
		t.Errorf("%d Dockerfiles for %d catalogue images", len(have), len(want))
	}
	for img, parent := range want {
		if p, ok := have[img]; !ok {
			t.Errorf("no Dockerfile for %s", img)
		} else if p != parent {
			t.Errorf("%s/Dockerfile is built FROM %q, the catalogue's %s on %q", img, p, img, parent)
		}
	}
	seen := map[string]bool{}
	for _, img := range d.images {
		if img.Parent != "" && !seen[img.Parent] {
			t.Errorf("%s comes before its parent %s", img.Name, img.Parent)
		}
		seen[img.Name] = true
	}
	for _, f := range []string{"files/init.sh", "files/bin/sshd", "files/checks/user.sh", "files/checks/no-host-key.sh"} {
		if _, err := os.Stat(filepath.Join(d.ctxDir, f)); err != nil {
			t.Errorf("the build context lacks %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(d.ctxDir, "checks")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the build context has a checks/ of its own beside files/checks (stat: %v)", err)
	}
}

func TestParentsFirst(t *testing.T) {
	got, err := parentsFirst([]dfImage{{"c", "b"}, {"b", "a"}, {"a", ""}, {"d", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	var names string
	for _, img := range got {
		names += img.Name
	}
	if names != "abcd" {
		t.Errorf("order %q, want abcd", names)
	}
	if _, err := parentsFirst([]dfImage{{"a", "b"}, {"b", "a"}}); err == nil {
		t.Error("a cycle was not reported")
	}
	if _, err := parentsFirst([]dfImage{{"a", "x"}}); err == nil {
		t.Error("a missing parent was not reported")
	}
}
