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
// reached through a link inside the spec's folder.
const pathsSpec = `images:
  weird:
    base: debian:bookworm
    copy:
      - {src: "we ird[*].py", dst: app/}
      - {src: current/, dst: data}
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
		"wsbuild.yaml": fmt.Sprintf(pathsSpec, r.Registry),
		"we ird[*].py": "print('weird')\n",
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
	if err := json.Unmarshal([]byte(stdout.String()), &entries); err != nil || len(entries) != 1 {
		t.Fatalf("plan -o json: %v\n%s", err, stdout.String())
	}
	if want := readMetadata(t, meta)["weird"]["inputDigest"]; entries[0].InputDigest != want {
		t.Errorf("plan's input digest %s, the build's %v", entries[0].InputDigest, want)
	}
}
