package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/wsbuild/wsbuild/internal/frontendimage"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// frontendSpec is two small images, a copied file on a base and sshd on
// that (so its start check needs the probe, which the frontend mounts from
// its own image), with a fixed epoch, so the CLI and the frontend must make
// the same manifest. The first line names the frontend for BuildKit.
const frontendSpec = `# syntax=%[1]s
images:
  base:
    base: debian:bookworm
    copy: [{src: hello.txt, dst: hello.txt}]
  ssh:
    from: base
    sshd: true
    labels: {org.example.team: lab}
source_date_epoch: 1700000000
push:
  - registry: %[2]s
    namespace: cli
    insecure: true
`

// TestFrontend pushes the frontend image to the rig's registry and builds
// one spec with `wsbuild build` and with buildctl, through the # syntax=
// line (dockerfile.v0) and through gateway.v0: all three must be the same
// image, checks and all. Then buildx's --call targets and check answer from
// the spec, and a spec error comes back with its line.
func TestFrontend(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	conn := rig.BuildkitdForTest(t, r)
	buildctl := rig.BuildctlForTest(t)
	feRef := r.Registry + "/wsbuild/wsbuild-frontend:test"
	pushFrontend(t, feRef)

	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(frontendSpec, feRef, r.Registry))
	write(t, filepath.Join(dir, "hello.txt"), "hello\n")

	wsMeta := filepath.Join(t.TempDir(), "wsbuild.json")
	// No attestations: the frontend's images and bake's below have none,
	// and the three builds are compared manifest for manifest.
	if code, stderr := wsbuild(t, "build", "--addr", conn.Addr(), "-f", specPath, "--push", "--progress", "plain", "--metadata-file", wsMeta,
		"--sbom=false", "--provenance=false"); code != 0 {
		t.Fatalf("wsbuild build exited %d:\n%s", code, lastLines(stderr, 30))
	}
	cli := pull(t, r.Registry+"/cli/ssh:latest")
	output := func(ref string) string {
		out := "type=image,push=true,registry.insecure=true,oci-mediatypes=true,rewrite-timestamp=true"
		if ref != "" {
			out += ",name=" + ref
		}
		return out
	}

	ctl := func(args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), buildctl, append([]string{"--addr", conn.Addr(), "build",
			"--local", "context=" + dir, "--local", "dockerfile=" + dir, "--opt", "filename=wsbuild.yaml"}, args...)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	for _, via := range []struct {
		name, ref string
		args      []string
	}{
		{"syntax line", r.Registry + "/fe/ssh:syntax", []string{"--frontend", "dockerfile.v0"}},
		{"gateway", r.Registry + "/fe/ssh:gateway", []string{"--frontend", "gateway.v0", "--opt", "source=" + feRef}},
	} {
		t.Run(via.name, func(t *testing.T) {
			if out, err := ctl(append(via.args, "--output", output(via.ref))...); err != nil {
				t.Fatalf("buildctl: %v\n%s", err, lastLines(out, 40))
			}
			sameImage(t, cli, pull(t, via.ref))
		})
	}

	bx := rig.BuildxForTest(t, conn.Addr())
	t.Run("buildx build", func(t *testing.T) {
		ref := r.Registry + "/bx/ssh:latest"
		if out, err := bx.Run(t.Context(), "build", "-f", specPath, "--platform", "linux/amd64", "--output", output(ref), dir); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		sameImage(t, cli, pull(t, ref))
	})
	t.Run("buildx build with labels and build args", func(t *testing.T) {
		ref := r.Registry + "/bx/ssh:labels"
		if out, err := bx.Run(t.Context(), "build", "-f", specPath, "--label", "org.example.by=label",
			"--build-arg", "ssh.labels.by-arg=yes", "--output", output(ref), dir); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		cfg, err := pull(t, ref).ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]string{"org.example.by": "label", "by-arg": "yes", "org.example.team": "lab"} {
			if got := cfg.Config.Labels[k]; got != v {
				t.Errorf("label %s = %q, want %q (labels %v)", k, got, v, cfg.Config.Labels)
			}
		}
	})
	t.Run("buildx bake of plan -o bake", func(t *testing.T) {
		var bake strings.Builder
		if code := run(t.Context(), []string{"plan", "-f", specPath, "-o", "bake"}, &bake, os.Stderr); code != 0 {
			t.Fatalf("plan -o bake exited %d", code)
		}
		bakeFile := filepath.Join(t.TempDir(), "wsbuild.bake.json")
		write(t, bakeFile, bake.String())
		bakeMeta := filepath.Join(t.TempDir(), "bake.json")
		if out, err := bx.Run(t.Context(), "bake", "-f", bakeFile, "--allow", "fs.read="+dir, "--metadata-file", bakeMeta,
			// Without attestations bake pushes the manifest itself, not an
			// index around it, so its metadata describes the same manifest.
			"--provenance=false",
			"--set", "*.output="+output(""), "--set", "base.tags="+r.Registry+"/bake/base:latest",
			"--set", "ssh.tags="+r.Registry+"/bake/ssh:latest"); err != nil {
			t.Fatalf("%v\n%s\n%s", err, out, bake.String())
		}
		sameImage(t, pull(t, r.Registry+"/cli/base:latest"), pull(t, r.Registry+"/bake/base:latest"))
		sameImage(t, cli, pull(t, r.Registry+"/bake/ssh:latest"))
		sameBakeMetadata(t, wsMeta, bakeMeta, "base", "ssh")
	})
	t.Run("buildx --call targets and outline", func(t *testing.T) {
		out, err := bx.Run(t.Context(), "build", "--call", "targets", "-f", specPath, dir)
		if err != nil || !strings.Contains(string(out), "ssh (default)") || !strings.Contains(string(out), "base") {
			t.Errorf("--call targets: %v\n%s", err, out)
		}
		out, err = bx.Run(t.Context(), "build", "--call", "outline", "--target", "ssh", "-f", specPath, dir)
		if err != nil || !strings.Contains(string(out), "ssh.tag") || !strings.Contains(string(out), "base.tag") {
			t.Errorf("--call outline: %v\n%s", err, out)
		}
	})

	t.Run("no-cache runs the steps again", func(t *testing.T) {
		build := func(extra ...string) []string {
			args := append([]string{"build", "-f", specPath, "--target", "base", "--progress", "plain"}, extra...)
			out, err := bx.Command(t.Context(), append(args, dir)...).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, lastLines(string(out), 20))
			}
			return cachedSteps(string(out), "[base] ")
		}
		if got := build(); len(got) == 0 {
			t.Fatal("a build after the CLI's took none of base's steps from the cache")
		}
		if got := build("--no-cache"); len(got) > 0 {
			t.Errorf("with --no-cache these steps of base came from the cache: %q", got)
		}
	})
	t.Run("a failing check names the image and the check", func(t *testing.T) {
		out, err := bx.Run(t.Context(), "build", "-f", specPath, "--target", "base",
			"--build-arg", `base.test=["test -f /nonexistent"]`, dir)
		if err == nil {
			t.Fatal("a failing check built")
		}
		for _, want := range []string{`image "base"`, `failed checks: "test 1: test -f /nonexistent"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error lacks %q:\n%v\n%s", want, err, lastLines(string(out), 10))
			}
		}
	})
	t.Run("a spec error names its line", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "wsbuild.yaml")
		write(t, bad, fmt.Sprintf("# syntax=%s\nimages:\n  ssh:\n    base: debian:bookworm\n    sshd: {prot: 22}\n", feRef))
		cmd := exec.CommandContext(t.Context(), buildctl, "--addr", conn.Addr(), "build", "--frontend", "dockerfile.v0",
			"--local", "context="+filepath.Dir(bad), "--local", "dockerfile="+filepath.Dir(bad), "--opt", "filename=wsbuild.yaml")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatal("a spec with an unknown key built")
		}
		for _, want := range []string{`unknown field "prot"`, "wsbuild.yaml:5", ">>>     sshd: {prot: 22}"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("buildctl's error lacks %q:\n%s", want, lastLines(string(out), 30))
			}
		}
		check, err := bx.Run(t.Context(), "build", "--call", "check", "-f", bad, filepath.Dir(bad))
		for _, want := range []string{"InvalidSpec", `unknown field "prot"`, "sshd: {prot: 22}"} {
			if err == nil || !strings.Contains(string(check)+err.Error(), want) {
				t.Errorf("--call check: %v, lacks %q:\n%s", err, want, check)
			}
		}
	})
}

// pushFrontend builds the frontend and the probe and pushes them as the
// frontend image ref, as `make frontend-image` does.
func pushFrontend(t *testing.T, ref string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wsbuild-frontend")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/wsbuild/wsbuild/cmd/wsbuild-frontend")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the frontend: %v\n%s", err, out)
	}
	fe, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := os.ReadFile(os.Getenv("WSBUILD_PROBE"))
	if err != nil {
		t.Fatalf("reading the probe ($WSBUILD_PROBE): %v", err)
	}
	img, err := frontendimage.Assemble(frontendimage.Binaries{Frontend: fe, Probe: probe})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := frontendimage.Push(t.Context(), img, ref, frontendimage.WithInsecure()); err != nil {
		t.Fatal(err)
	}
}

// sameImage checks that got is the image want is: the same config and the
// same layers (by diff ID), and the same manifest digest.
func sameImage(t *testing.T, want, got v1.Image) {
	t.Helper()
	wc, err1 := want.ConfigFile()
	gc, err2 := got.ConfigFile()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !reflect.DeepEqual(wc.RootFS.DiffIDs, gc.RootFS.DiffIDs) {
		t.Errorf("layers differ:\n got %v\nwant %v", gc.RootFS.DiffIDs, wc.RootFS.DiffIDs)
	}
	wj, _ := json.Marshal(wc.Config)
	gj, _ := json.Marshal(gc.Config)
	if !bytes.Equal(wj, gj) {
		t.Errorf("configs differ:\n got %s\nwant %s", gj, wj)
	}
	wd, err1 := want.Digest()
	gd, err2 := got.Digest()
	if err1 != nil || err2 != nil || wd != gd {
		t.Errorf("manifest %s, want the CLI's %s (%v %v)", gd, wd, err1, err2)
	}
}

// cachedSteps returns the steps whose name starts with prefix that BuildKit's
// plain progress (#N NAME, then #N CACHED) shows as taken from the cache.
func cachedSteps(progress, prefix string) []string {
	names := map[string]string{}
	var out []string
	for _, line := range strings.Split(progress, "\n") {
		id, rest, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(id, "#") {
			continue
		}
		if strings.HasPrefix(rest, prefix) {
			names[id] = rest
		} else if rest == "CACHED" && names[id] != "" {
			out = append(out, names[id])
		}
	}
	return out
}
