package main

import (
	"path/filepath"
	"slices"
	"testing"
)

// jinadWorkspace turns the example JinaD workspace into a spec with
// `init --from` (with the rig's registry as its push target), builds it on
// the rig and pushes it, with no edit.
func jinadWorkspace(t *testing.T, registry string) {
	dir := copyWorkspace(t, "hello-jina")
	if code, _, errOut := runCLI(t, "init", "--from", dir, "--registry", registry, "--namespace", "wsbuild"); code != 0 {
		t.Fatalf("init --from: exit %d: %s", code, errOut)
	}
	specFile := filepath.Join(dir, "wsbuild.yaml")
	meta := filepath.Join(t.TempDir(), "meta.json")
	if code, stderr := wsbuild(t, "build", "-f", specFile, "--push", "--progress", "plain", "--metadata-file", meta); code != 0 {
		t.Fatalf("building the workspace: exit %d\n%s", code, lastLines(stderr, 40))
	}
	if m := readMetadata(t, meta)["hello-jina"]; m == nil || m["pushed"] != true {
		t.Fatalf("hello-jina was not pushed: %v", m)
	}
	img := pull(t, registry+"/wsbuild/hello-jina:latest")
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Config.Cmd, []string{"python", "app.py"}) || cfg.Config.User != "1000:1000" {
		t.Errorf("cmd %q user %q", cfg.Config.Cmd, cfg.Config.User)
	}
	if _, ok := cfg.Config.ExposedPorts["8000/tcp"]; !ok {
		t.Errorf("port 8000 is not exposed: %v", cfg.Config.ExposedPorts)
	}
	fs := files(t, img)
	for _, p := range []string{"home/user/app.py", "home/user/data/greeting.txt"} {
		if h := fs[p]; h == nil || h.Uid != 1000 {
			t.Errorf("%s missing or not owned by 1000: %+v", p, h)
		}
	}
}
