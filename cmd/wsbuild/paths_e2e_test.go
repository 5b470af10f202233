package main

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/localfs/localfstest"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// pathsSpec copies a file whose name holds glob characters and a folder
// reached through a link inside the spec's folder, and installs a
// requirements file that includes another, which names constraints.
const pathsSpec = `images:
  weird:
    base: debian:bookworm
    copy:
      - {src: "we ird[*].py", dst: app/}
      - {src: current/, dst: data}
  reqs:
    from: weird
    python: "3.11"
    requirements: requirements.txt
    env: {PIP_INDEX_URL: "%s"}
push:
  - registry: %s
    namespace: e2e
    insecure: true
`

func TestPathsEndToEnd(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	localfstest.Write(t, dir, map[string]string{
		"wsbuild.yaml":         fmt.Sprintf(pathsSpec, servePackageIndex(t, "wsreq"), r.Registry),
		"requirements.txt":     "-r reqs/base.txt\n",
		"reqs/base.txt":        "wsreq\n-c constraints.txt\n",
		"reqs/constraints.txt": "wsreq==1.0\n",
		"we ird[*].py":         "print('weird')\n",
		// What an unescaped "we ird[*].py" would match instead.
		"we ird*.py": "print('decoy')\n",
		"v1/x.txt":   "version one\n",
		"current@":   "v1",
	})
	meta := filepath.Join(t.TempDir(), "meta.json")

	code, stderr := wsbuild(t, "build", "-f", specPath, "--push", "--progress", "plain", "--metadata-file", meta)
	if code != 0 {
		t.Fatalf("build exited %d:\n%s", code, lastLines(stderr, 30))
	}
	img := pull(t, r.Registry+"/e2e/weird:latest")
	if got := fileIn(t, img, "home/user/app/we ird[*].py"); got != "print('weird')\n" {
		t.Errorf("we ird[*].py holds %q", got)
	}
	if got := fileIn(t, img, "home/user/data/x.txt"); got != "version one\n" {
		t.Errorf("data/x.txt (copied through the link current -> v1) holds %q", got)
	}
	fs := files(t, img)
	if h, ok := fs["home/user/app/we ird[*].py"]; !ok || h.Uid != 1000 || h.Typeflag != tar.TypeReg {
		t.Errorf("we ird[*].py: present=%v header=%+v, want a file owned by 1000", ok, h)
	}
	if _, ok := fs["home/user/app/we ird*.py"]; ok {
		t.Error("the decoy we ird*.py was copied too")
	}
	var stdout, errOut strings.Builder
	if code := run(t.Context(), []string{"plan", "-f", specPath, "-o", "json"}, &stdout, &errOut); code != 0 {
		t.Fatalf("plan exited %d:\n%s", code, errOut.String())
	}
	var entries []planEntry
	if err := json.Unmarshal([]byte(stdout.String()), &entries); err != nil || len(entries) != 2 {
		t.Fatalf("plan -o json: %v\n%s", err, stdout.String())
	}
	m := readMetadata(t, meta)
	for _, e := range entries {
		if want := m[e.Name]["inputDigest"]; e.InputDigest != want {
			t.Errorf("%s: plan's input digest %s, the build's %v", e.Name, e.InputDigest, want)
		}
	}
	reqs := files(t, pull(t, r.Registry+"/e2e/reqs:latest"))
	if _, ok := reqs["opt/venv/lib/python3.11/site-packages/wsreq/__init__.py"]; !ok {
		t.Error("wsreq, named by the included requirements file, is not installed")
	}
}
