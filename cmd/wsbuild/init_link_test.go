package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/spec"
)

func TestInitDoesNotWriteThroughALink(t *testing.T) {
	dir := copyWorkspace(t, "ws")
	victim := filepath.Join(t.TempDir(), "victim")
	write(t, victim, "keep me\n")
	for name, args := range map[string][]string{
		"template": {"init", "--template", "python", "-o", filepath.Join(dir, "link.yaml"), "--force"},
		"from":     {"init", "--from", dir, "--force"},
	} {
		t.Run(name, func(t *testing.T) {
			out := args[len(args)-2]
			if name == "from" {
				out = filepath.Join(dir, spec.DefaultFile)
			}
			os.Remove(out)
			if err := os.Symlink(victim, out); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := runCLI(t, args...)
			want := out + ` is a symbolic link (to "` + victim + `"): init does not write through links, even with --force`
			if code != 2 || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, want)
			}
			if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
				t.Errorf("the link's target was written: %q", b)
			}
			if st, err := os.Lstat(out); err != nil || st.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the link was replaced: %v %v", st, err)
			}
		})
	}
}

func TestInitFromFollowsARequirementsLinkInsideTheWorkspace(t *testing.T) {
	dir := copyWorkspace(t, "ws")
	req := filepath.Join(dir, "requirements.txt")
	data, err := os.ReadFile(req)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "reqs.txt"), string(data))
	if err := os.Remove(req); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("reqs.txt", req); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "init", "--from", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "wsbuild: warning: " + req + `: a symbolic link to "reqs.txt" inside the workspace: pip reads ` + filepath.Join(dir, "reqs.txt") + " through it"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	fam, err := spec.Load(filepath.Join(dir, spec.DefaultFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	img := fam.Images["ws"]
	if img.Requirements != "requirements.txt" || string(img.RequirementsData) != string(data) || len(img.RequirementsIncludes) != 2 {
		t.Errorf("requirements %q, data %q, includes %+v", img.Requirements, img.RequirementsData, img.RequirementsIncludes)
	}

	// Out of the workspace: refused, no spec written.
	os.Remove(filepath.Join(dir, spec.DefaultFile))
	os.Remove(req)
	if err := os.Symlink("../../../../../../../etc/passwd", req); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "init", "--from", dir)
	if code != 2 || !strings.Contains(errOut, "which leads out of the workspace") {
		t.Errorf("exit %d, stderr %q; want a refusal", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, spec.DefaultFile)); err == nil {
		t.Error("a spec was written")
	}
}
