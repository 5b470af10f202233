package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// partsSpec is the smallest family that uses every feature added as a part:
// build steps cloning a git repository served on loopback, R with its
// Jupyter kernel beside the OS's Notebook, and a desktop served through
// noVNC whose browser opens a start page.
const partsSpec = `images:
  notebook:
    base: debian:bookworm
    python: "3.11"
    apt: [git]
    jupyter: {lab: false, via: distro}
    r: true
    steps:
      - {name: clone the project, run: "git clone %s project"}
      - {name: build the project, run: "cd project && sh build.sh", cache: [/home/user/.cache/project]}
  desktop:
    from: notebook
    desktop: {novnc: true, start_url: "http://localhost:8888/tree"}
push:
  - registry: %s
    namespace: parts
    insecure: true
`

// TestParts builds, checks and pushes partsSpec, then inspects what the
// parts put into the pushed images. A step that fails then fails its image,
// naming the image and the step, and moves no tag.
func TestParts(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	dir := t.TempDir()
	repo := serveGitRepo(t, map[string]string{"README": "wsbuild parts\n", "build.sh": "echo built > BUILT\n"})
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(partsSpec, repo, r.Registry))
	meta := filepath.Join(dir, "meta.json")

	if code, stderr := wsbuild(t, "build", "--push", "--progress", "plain", "--metadata-file", meta, "-f", specPath); code != exitOK {
		t.Fatalf("build exit %d:\n%s", code, lastLines(stderr, 60))
	}
	m := readMetadata(t, meta)
	for name, want := range map[string][]string{
		"notebook": {"R runs and loads its libraries", "jupyter --version"},
		"desktop":  {"X and VNC start, VNC port 5900 answers", "supervisor config parses"},
	} {
		checks := fmt.Sprint(m[name]["checks"])
		for _, c := range want {
			if !strings.Contains(checks, c) {
				t.Errorf("%s passed checks %s, want %q among them", name, checks, c)
			}
		}
	}

	if got := fmt.Sprint(m["desktop"]["features"]); !strings.Contains(got, "novnc:6080") || !strings.Contains(got, "r:map[]") {
		t.Errorf("--metadata-file lists desktop's features as %s, want noVNC on 6080 and R", got)
	}
	if got := fmt.Sprint(m["desktop"]["checks"]); !strings.Contains(got, "serves at start: vnc:5900 novnc:6080 process:openbox,lxpanel,firefox-esr jupyter:8888:python3,ir") {
		t.Errorf("desktop's start check is not among its checks: %s", got)
	}

	nb := pull(t, r.Registry+"/parts/notebook:latest")
	fs := files(t, nb)
	if h := fs["home/user/project/BUILT"]; h == nil || h.Uid != 1000 {
		t.Errorf("the build steps left no project/BUILT owned by the user: %+v", h)
	}
	if got := fileIn(t, nb, "usr/local/share/jupyter/kernels/ir/kernel.json"); !strings.Contains(got, "IRkernel") {
		t.Errorf("the R kernel is not registered with Jupyter: kernel.json is %q", got)
	}

	desk := pull(t, r.Registry+"/parts/desktop:latest")
	cfg, err := desk.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Config.ExposedPorts["6080/tcp"]; !ok {
		t.Errorf("noVNC's port is not exposed: %v", cfg.Config.ExposedPorts)
	}
	if got := fileIn(t, desk, "etc/xdg/autostart/wsbuild-start-page.desktop"); !strings.Contains(got, `Exec=firefox-esr "http://localhost:8888/tree"`) {
		t.Errorf("the start page entry is %q", got)
	}
	if got := fileIn(t, desk, "etc/wsbuild/supervisor/desktop.conf"); !strings.Contains(got, "[program:novnc]") {
		t.Errorf("supervisor runs no noVNC:\n%s", got)
	}

	// A failing step fails its image, names it and the step, and no tag of
	// the run moves.
	broken := fmt.Sprintf(partsSpec, repo, r.Registry)
	broken = strings.Replace(broken, "push:", "  broken:\n    from: notebook\n    steps: [{name: fetch the model, run: \"exit 3\"}]\npush:", 1)
	write(t, specPath, broken)
	code, stderr := wsbuild(t, "build", "--push", "--progress", "plain", "-f", specPath)
	if code != exitFailure {
		t.Fatalf("a failing step: exit %d, want %d:\n%s", code, exitFailure, lastLines(stderr, 30))
	}
	last := lastLines(stderr, 5)
	if !strings.Contains(last, `"broken"`) || !strings.Contains(last, "step: fetch the model") {
		t.Errorf("the error does not name the image and the step:\n%s", last)
	}
	if tagExists(t, r.Registry+"/parts/broken:latest") {
		t.Errorf("the broken image was pushed")
	}
}

// serveGitRepo makes a git repository holding files and serves it over
// git's dumb HTTP protocol on loopback; it returns the clone URL.
func serveGitRepo(t *testing.T, content map[string]string) string {
	t.Helper()
	work, bare := t.TempDir(), filepath.Join(t.TempDir(), "project.git")
	for name, text := range content {
		write(t, filepath.Join(work, name), text)
	}
	gitEnv := []string{"GIT_AUTHOR_NAME=wsbuild", "GIT_AUTHOR_EMAIL=ci@wsbuild", "GIT_COMMITTER_NAME=wsbuild", "GIT_COMMITTER_EMAIL=ci@wsbuild"}
	for _, args := range [][]string{
		{"-C", work, "init", "-q", "-b", "main"},
		{"-C", work, "add", "."},
		{"-C", work, "commit", "-q", "-m", "project"},
		{"clone", "-q", "--bare", work, bare},
		{"-C", bare, "update-server-info"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), gitEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(bare))))
	t.Cleanup(srv.Close)
	return srv.URL + "/project.git"
}

// tagExists reports whether the registry holds ref.
func tagExists(t *testing.T, ref string) bool {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	_, err = remote.Head(r)
	return err == nil
}
