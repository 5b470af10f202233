package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// e2eSpec is a Python image and a child built on it.
const e2eSpec = `images:
  python:
    base: debian:bookworm
    python: "3.11"
    volumes: [datasets, persistent-home, persistent-shared-folder]
  tools:
    from: python
    apt: [less]
    volumes: [scratch]
    copy:
      - {src: notes.txt, dst: notes.txt}
    pip: [wsdemo]
    requirements: requirements.txt
    env: {PIP_INDEX_URL: "%s"}
push:
  - registry: %s
    namespace: e2e
    insecure: true
`

// env points wsbuild at the rig and at a private cache; it returns the spec path.
func e2eSetup(t *testing.T, r *rig.Rig) string {
	t.Helper()
	useRig(t, r)
	dir := t.TempDir()
	index := servePackageIndex(t, "wsdemo", "wsreq")
	write(t, filepath.Join(dir, "wsbuild.yaml"), fmt.Sprintf(e2eSpec, index, r.Registry))
	write(t, filepath.Join(dir, "notes.txt"), "hello from the build context\n")
	write(t, filepath.Join(dir, "requirements.txt"), "wsreq==1.0\n")
	return filepath.Join(dir, "wsbuild.yaml")
}

// useRig points the in-process CLI at the rig's buildkitd and registry, with
// a fresh cache, for the rest of the test.
func useRig(t *testing.T, r *rig.Rig) {
	t.Helper()
	t.Setenv(buildkitd.EnvBinary, r.Buildkitd)
	t.Setenv(buildkitd.EnvConfig, r.BuildkitdConfig)
	t.Setenv("WSBUILD_CACHE_DIR", t.TempDir())
	t.Setenv(buildkitd.EnvHost, "")
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// wsbuild runs the CLI in-process and returns its exit code and stderr.
func wsbuild(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return code, stderr.String()
}

// wsbuildOut runs the CLI in-process and returns its exit code, stdout
// and stderr.
func wsbuildOut(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func readMetadata(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Images []map[string]any `json:"images"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, img := range m.Images {
		out[img["name"].(string)] = img
	}
	return out
}

func pull(t *testing.T, ref string) v1.Image {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatalf("pulling %s: %v", ref, err)
	}
	return img
}

func layerDigests(t *testing.T, img v1.Image) []v1.Hash {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var out []v1.Hash
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// files returns the image's flattened filesystem: path -> header.
func files(t *testing.T, img v1.Image) map[string]*tar.Header {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	out := map[string]*tar.Header{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")] = h
	}
}

// tagDigest is the digest of the image ref holds for linux/amd64: the
// image manifest, or the image's in the index ref holds.
func tagDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	return mustDigest(t, pull(t, ref))
}

// headDigest is the digest of what ref holds: an image manifest, or an
// index (of the image and its attestations), as --metadata-file's
// "digest" gives it.
func headDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		t.Fatalf("looking up %s: %v", ref, err)
	}
	return desc.Digest
}

func mustDigest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEndToEnd(t *testing.T) {
	r := rig.ForTest(t)
	specPath := e2eSetup(t, r)
	uploads := countUploads(t)
	meta := filepath.Join(t.TempDir(), "meta.json")

	// --push-from wsbuild: the mounts, uploads and push progress this test
	// checks are wsbuild's own pusher's. The private buildkitd pushes by
	// itself by default (TestPushFromDaemon, and the other end-to-end tests).
	code, stderr := wsbuild(t, "build", "-f", specPath, "--push", "--push-from", "wsbuild", "--progress", "plain", "--metadata-file", meta)
	if code != 0 {
		t.Fatalf("first build exited %d:\n%s", code, stderr)
	}
	_, firstMounts := uploads.Take()
	firstSent := uploads.SentTo()
	m := readMetadata(t, meta)
	parentRef := r.Registry + "/e2e/python:latest"
	childRef := r.Registry + "/e2e/tools:latest"
	parent, child := pull(t, parentRef), pull(t, childRef)
	assertPushProgress(t, stderr, childRef)

	t.Run("plan agrees with the build", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"plan", "-f", specPath, "-o", "json"}, &stdout, &stderr); code != 0 {
			t.Fatalf("plan exited %d:\n%s", code, stderr.String())
		}
		var entries []planEntry
		if err := json.Unmarshal(stdout.Bytes(), &entries); err != nil {
			t.Fatalf("plan -o json: %v\n%s", err, stdout.String())
		}
		if len(entries) != 2 || entries[0].Name != "python" || entries[1].Parent != "python" {
			t.Fatalf("plan entries %+v", entries)
		}
		for _, e := range entries {
			if e.InputDigest != m[e.Name]["inputDigest"] || e.BaseDigest == "" {
				t.Errorf("%s: plan input digest %s (base %q), build says %v", e.Name, e.InputDigest, e.BaseDigest, m[e.Name]["inputDigest"])
			}
		}
	})
	t.Run("parent layers are a prefix of the child's", func(t *testing.T) {
		pl, cl := layerDigests(t, parent), layerDigests(t, child)
		if len(cl) <= len(pl) || !slices.Equal(cl[:len(pl)], pl) {
			t.Fatalf("parent layers %v are not a strict prefix of child layers %v", pl, cl)
		}
	})
	t.Run("child parent layers were mounted, not uploaded", func(t *testing.T) {
		if n := firstMounts; n < len(layerDigests(t, parent)) {
			t.Errorf("%d blob mounts, want at least %d (one per parent layer)", n, len(layerDigests(t, parent)))
		}
		// A mount the registry refuses falls back to an upload into the
		// child's repository: that is what must not happen.
		var toChild []string
		for _, u := range firstSent {
			if u.Repo == "e2e/tools" {
				toChild = append(toChild, u.Digest)
			}
		}
		assertNoParentBytes(t, toChild, parent)
	})
	t.Run("config", func(t *testing.T) {
		cf, err := child.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.Config.User != "1000:1000" {
			t.Errorf("User = %q, want the non-root 1000:1000", cf.Config.User)
		}
		label := cf.Config.Labels[oci.LabelInputDigest]
		if label == "" || label != m["tools"]["inputDigest"] {
			t.Errorf("input-digest label %q, metadata says %v", label, m["tools"]["inputDigest"])
		}
		if want := m["tools"]["imageDigest"]; mustDigest(t, child).String() != want {
			t.Errorf("pushed digest %s, metadata says %v", mustDigest(t, child), want)
		}
		assertBakeMetadata(t, meta, "tools", child, childRef)
	})
	t.Run("filesystem", func(t *testing.T) {
		fs := files(t, child)
		for _, v := range []string{"datasets", "persistent-home", "persistent-shared-folder", "scratch"} {
			h, ok := fs["home/user/"+v]
			if !ok || h.Typeflag != tar.TypeDir || h.Uid != 1000 || h.Gid != 1000 {
				t.Errorf("home/user/%s: present=%v header=%+v, want a folder owned by 1000:1000", v, ok, h)
			}
		}
		if h, ok := fs["home/user/notes.txt"]; !ok || h.Uid != 1000 {
			t.Errorf("copied notes.txt: present=%v header=%+v, want owned by 1000", ok, h)
		}
		if _, ok := fs["usr/bin/python3"]; !ok {
			t.Error("usr/bin/python3 is not in the image")
		}
		if _, ok := fs["opt/venv/bin/python"]; !ok {
			t.Error("the virtual environment is not in the image")
		}
		for _, pkg := range []string{"wsdemo", "wsreq"} {
			h, ok := fs["opt/venv/lib/python3.11/site-packages/"+pkg+"/__init__.py"]
			if !ok || h.Uid != 1000 {
				t.Errorf("pip package %s: present=%v header=%+v, want installed into the venv by the user", pkg, ok, h)
			}
		}
		if _, ok := fs["usr/bin/sudo"]; ok {
			t.Error("sudo is installed")
		}
	})

	t.Run("second build is fully cached and uploads nothing", func(t *testing.T) {
		uploads.Take()
		// --force: without it the unchanged images would not be solved at all.
		code, stderr := wsbuild(t, "build", "-f", specPath, "--push", "--push-from", "wsbuild", "--force", "--progress", "rawjson")
		if code != 0 {
			t.Fatalf("second build exited %d:\n%s", code, stderr)
		}
		// Only the attestations are new: the provenance's times (and the
		// SBOM's) are this build's.
		if n, _ := uploads.Take(); n != attestationBlobs(t, parentRef)+attestationBlobs(t, childRef) {
			t.Errorf("second build started %d blob uploads, want only the attestations' %d", n, attestationBlobs(t, parentRef)+attestationBlobs(t, childRef))
		}
		if steps := uncachedSteps(t, stderr); len(steps) > 0 {
			t.Errorf("steps ran again instead of coming from the cache: %v", steps)
		}
		if tagDigest(t, childRef) != mustDigest(t, child) {
			t.Error("the child's digest changed on a cached rebuild")
		}
	})

	t.Run("an interrupt during the push moves no tag and uploads no blob", func(t *testing.T) {
		interruptPush(t, r, specPath, map[string]v1.Hash{parentRef: headDigest(t, parentRef), childRef: headDigest(t, childRef)})
	})

	t.Run("a failed build moves no tag", func(t *testing.T) {
		before := map[string]v1.Hash{parentRef: mustDigest(t, parent), childRef: mustDigest(t, child)}
		code, stderr := wsbuild(t, "build", "-f", specPath, "--push", "--progress", "plain",
			"--set", "python.labels.rev=2", "--set", "tools.apt=[no-such-package-wsbuild]")
		if code != 1 {
			t.Fatalf("build with a missing package exited %d, want 1:\n%s", code, stderr)
		}
		if !strings.Contains(stderr, `building image "tools"`) {
			t.Errorf("error does not name the failed image:\n%s", lastLines(stderr, 5))
		}
		for ref, d := range before {
			if got := tagDigest(t, ref); got != d {
				t.Errorf("%s moved from %s to %s after a failed build", ref, d, got)
			}
		}
	})
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// isBuildStep says whether the vertex named name is a step of an image's
// build, not one of the checks or the SBOM step that run on the image
// after it is built (and run again whenever it changed).
func isBuildStep(name string) bool {
	return !strings.Contains(name, "] check: ") && !strings.Contains(name, "] sbom: ")
}

// uncachedSteps returns the names of wsbuild's own steps that ran rather
// than coming from the cache, from BuildKit's rawjson progress.
func uncachedSteps(t *testing.T, rawjson string) []string {
	t.Helper()
	cached := map[string]bool{}
	names := map[string]string{}
	dec := json.NewDecoder(strings.NewReader(rawjson))
	for dec.More() {
		var st struct {
			Vertexes []struct {
				Digest, Name string
				Cached       bool
			}
		}
		if err := dec.Decode(&st); err != nil {
			break // the CLI's own lines follow the progress stream
		}
		for _, v := range st.Vertexes {
			names[v.Digest] = v.Name
			cached[v.Digest] = cached[v.Digest] || v.Cached
		}
	}
	if len(names) == 0 {
		t.Fatal("no progress was reported")
	}
	var out []string
	for d, n := range names {
		if strings.HasPrefix(n, "[") && !cached[d] {
			out = append(out, n)
		}
	}
	return out
}
