package plan

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/localfs"
	"github.com/wsbuild/wsbuild/internal/localfs/localfstest"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// folder writes a spec and files (name@ for a link) into a folder inside
// a temporary one that also holds a file "secret", and plans the spec.
func folder(t *testing.T, yaml string, entries map[string]string) (string, func() (*Plan, error)) {
	t.Helper()
	top := t.TempDir()
	if err := os.WriteFile(filepath.Join(top, "secret"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(top, "spec")
	entries["wsbuild.yaml"] = yaml
	localfstest.Write(t, dir, entries)
	return dir, func() (*Plan, error) {
		f, err := spec.Load(filepath.Join(dir, "wsbuild.yaml"), nil)
		if err != nil {
			return nil, err
		}
		ctx, err := localfs.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer ctx.Close()
		return New(f, WithContext(ctx))
	}
}

const copySpec = "images:\n  a:\n    base: debian:bookworm\n    copy: [{src: %s, dst: x}]\n"

func TestCopyThroughLinksLeavingTheFolderIsRefused(t *testing.T) {
	for _, tc := range []struct{ src, link, target, want string }{
		{"app", "app@", "../secret", `images.a.copy.0.src: "app" leads out of the spec's folder through the symbolic link "app"`},
		{"share/doc", "share@", "../../../../../../../../usr/share", `"share/doc" leads out of the spec's folder through the symbolic link "share"`},
		{"passwd", "passwd@", "/etc/passwd", `images.a.copy.0.src: "passwd" is a symbolic link to the absolute path "/etc/passwd"`},
	} {
		_, plan := folder(t, strings.Replace(copySpec, "%s", tc.src, 1), map[string]string{tc.link: tc.target})
		if _, err := plan(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s -> %s: err = %v, want %q", tc.link, tc.target, err, tc.want)
		}
	}
}

func TestMissingCopySourceNamesTheFolder(t *testing.T) {
	dir, plan := folder(t, strings.Replace(copySpec, "%s", "app/", 1), map[string]string{})
	_, err := plan()
	if want := `images.a.copy.0.src: "app/" not found in the spec's folder "` + dir + `"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestCopyThroughALinkInsideTheFolder(t *testing.T) {
	dir, plan := folder(t, strings.Replace(copySpec, "%s", "current/app.py", 1), map[string]string{
		"current@": "v1", "v1/app.py": "print(1)", "v2/app.py": "print(1)",
	})
	p, err := plan()
	if err != nil {
		t.Fatal(err)
	}
	n := p.Nodes[0]
	if want := []string{"current", "v1/app.py"}; !reflect.DeepEqual(n.Sources["current/app.py"], want) {
		t.Errorf("Sources = %q, want %q", n.Sources, want)
	}
	first := n.InputDigest
	localfstest.Write(t, dir, map[string]string{"current@": "v2"})
	if p, err = plan(); err != nil {
		t.Fatal(err)
	}
	if p.Nodes[0].InputDigest == first {
		t.Error("pointing the link at another folder (with the same content) kept the input digest")
	}
}

func TestOrdinaryCopyKeepsItsDigest(t *testing.T) {
	dir, plan := folder(t, strings.Replace(copySpec, "%s", "app", 1), map[string]string{"app/a.py": "x", "app/in@": "a.py", "app/out@": "/etc/passwd"})
	p, err := plan()
	if err != nil {
		t.Fatal(err)
	}
	n := p.Nodes[0]
	if !reflect.DeepEqual(n.Sources["app"], []string{"app"}) {
		t.Errorf("Sources = %q", n.Sources)
	}
	// Links below a copied folder are copied, and hashed, as links.
	tree, err := hashTree(os.DirFS(dir), "app")
	if err != nil || n.Files["app"] != tree {
		t.Errorf("Files[app] = %s, want the tree's digest %s", n.Files["app"], tree)
	}
}

func TestRequirementsIncludesReachTheDigest(t *testing.T) {
	dir, plan := folder(t, "images:\n  a:\n    base: debian:bookworm\n    python: \"3.11\"\n    requirements: requirements.txt\n",
		map[string]string{"requirements.txt": "-r more.txt\n", "more.txt": "numpy\n"})
	p, err := plan()
	if err != nil {
		t.Fatal(err)
	}
	first := p.Nodes[0].InputDigest
	localfstest.Write(t, dir, map[string]string{"more.txt": "numpy==2\n"})
	if p, err = plan(); err != nil {
		t.Fatal(err)
	}
	if p.Nodes[0].InputDigest == first {
		t.Error("changing an included requirements file kept the input digest")
	}
}
