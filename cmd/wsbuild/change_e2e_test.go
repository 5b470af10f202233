package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// changeSpec is a three-image chain that builds in seconds: no apt, no pip.
const changeSpec = `images:
  root:
    base: debian:bookworm
    env: {LEVEL: root}
    tag: "1"
  middle:
    from: root
    copy: [{src: notes.txt, dst: /opt/notes.txt}]
    tag: "1"
  leaf:
    from: middle
    env: {LEVEL: leaf}
    volumes: [work]
    tag: "1"
push:
  - {registry: %s, namespace: change, insecure: true}
`

// TestChangeAware builds a family, then rebuilds it after no change, a leaf
// change, a copied file's change, with --force and after its base's tag
// moved, checking each time what was built, what plan --why said, and what
// reached the registry.
func TestChangeAware(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(changeSpec, r.Registry))
	write(t, filepath.Join(dir, "notes.txt"), "one\n")
	useRig(t, r)
	uploads := countUploads(t)
	ref := func(img string) string { return r.Registry + "/change/" + img + ":1" }

	if code, stderr := wsbuild(t, "lock", "-f", specPath); code != 0 {
		t.Fatalf("lock exited %d:\n%s", code, stderr)
	}
	lockData, err := os.ReadFile(filepath.Join(dir, "wsbuild.lock"))
	if err != nil || !strings.Contains(string(lockData), tagDigest(t, rig.BaseRef(r.Registry)).String()) {
		t.Fatalf("lock file does not pin the rig's base (%v):\n%s", err, lockData)
	}
	first := buildActions(t, specPath)
	wantActions(t, first, "root=build middle=build leaf=build")

	t.Run("input digest is a manifest annotation and a label", func(t *testing.T) {
		for _, img := range []string{"root", "middle", "leaf"} {
			m, err := pull(t, ref(img)).Manifest()
			if err != nil {
				t.Fatal(err)
			}
			want := first[img]["inputDigest"]
			if got := m.Annotations[oci.AnnotationInputDigest]; got != want {
				t.Errorf("%s: annotation %q, want %v", img, got, want)
			}
			var inputs map[string]string
			if err := json.Unmarshal([]byte(m.Annotations[oci.AnnotationInputs]), &inputs); err != nil || inputs["env"] == "" {
				t.Errorf("%s: inputs annotation %q (%v)", img, m.Annotations[oci.AnnotationInputs], err)
			}
			var values map[string]json.RawMessage
			if err := json.Unmarshal([]byte(m.Annotations[oci.AnnotationInputValues]), &values); err != nil ||
				digest.FromBytes(values["env"]).String() != inputs["env"] || !strings.Contains(string(values["env"]), `"LEVEL"`) {
				t.Errorf("%s: input values annotation %q (%v)", img, m.Annotations[oci.AnnotationInputValues], err)
			}
			cfg, err := pull(t, ref(img)).ConfigFile()
			if err != nil || cfg.Config.Labels[oci.AnnotationInputDigest] != want {
				t.Errorf("%s: label %v (%v), want %v", img, cfg.Config.Labels, err, want)
			}
		}
	})
	uploads.Sent()

	// With a lock file, an unchanged family needs no buildkitd at all: point
	// wsbuild at a daemon binary that does not exist to prove none starts.
	t.Run("no-op build starts no daemon and skips everything", func(t *testing.T) {
		t.Setenv(buildkitd.EnvBinary, filepath.Join(dir, "no-such-buildkitd"))
		got := buildActions(t, specPath)
		wantActions(t, got, "root=skip middle=skip leaf=skip")
		for _, img := range []string{"root", "middle", "leaf"} {
			if got[img]["digest"] != first[img]["digest"] {
				t.Errorf("%s: skipped image reports digest %v, first build pushed %v", img, got[img]["digest"], first[img]["digest"])
			}
		}
		why := planWhy(t, specPath)
		if why["leaf"].Action != "skip" || why["root"].Digest != first["root"]["digest"] {
			t.Errorf("plan --why: %+v", why)
		}
		if sent := uploads.Sent(); len(sent) > 0 {
			t.Errorf("a no-op build uploaded %v", sent)
		}
	})

	t.Run("leaf change builds only the leaf, on the pushed parent", func(t *testing.T) {
		why := planWhy(t, specPath, "--set", "leaf.env.LEVEL=changed")
		if why["leaf"].Action != "build" || !slices.Equal(why["leaf"].Reasons, []string{`env.LEVEL: "leaf" -> "changed"`}) || why["middle"].Action != "skip" {
			t.Fatalf("plan --why: %+v", why)
		}
		why = planWhy(t, specPath, "--set", "leaf.apt=[python3-tqdm]")
		changes, _ := json.Marshal(why["leaf"].Changes)
		if why["leaf"].Action != "build" || !slices.Equal(why["leaf"].Reasons, []string{"apt: +python3-tqdm"}) ||
			string(changes) != `[{"input":"apt","field":"apt","added":["python3-tqdm"]}]` {
			t.Fatalf("plan --why after an apt change: %+v", why["leaf"])
		}
		text := planText(t, specPath, "--why", "--set", "leaf.apt=[python3-tqdm]")
		if !strings.Contains(text, "leaf: build: apt: +python3-tqdm\n") {
			t.Errorf("plan --why:\n%s", text)
		}
		// --no-cache: a middle rebuilt here rather than taken from the
		// registry would get new file times, so other layer digests.
		got := buildActions(t, specPath, "--set", "leaf.env.LEVEL=changed", "--no-cache")
		wantActions(t, got, "root=skip middle=skip leaf=build")
		assertBuiltOn(t, pull(t, ref("leaf")), pull(t, ref("middle")))
		if reasons, _ := got["leaf"]["reasons"].([]any); len(reasons) != 1 || reasons[0] != `env.LEVEL: "leaf" -> "changed"` {
			t.Errorf("metadata reasons %v", got["leaf"]["reasons"])
		}
		if changes, _ := json.Marshal(got["leaf"]["changes"]); string(changes) != `[{"field":"env.LEVEL","input":"env","new":"changed","old":"leaf"}]` {
			t.Errorf("metadata changes %s", changes)
		}
		uploads.Sent()
		if headDigest(t, ref("middle")).String() != first["middle"]["digest"] {
			t.Errorf("the skipped middle image's tag moved")
		}
	})

	// A new repository holds none of its parent's layers, so only mounting
	// them from the skipped parent's repository keeps them from being sent.
	t.Run("a new image on a skipped parent mounts the parent's layers", func(t *testing.T) {
		spec2 := filepath.Join(dir, "with-sibling.yaml")
		sibling := "  sibling:\n    from: middle\n    volumes: [more]\n    tag: \"1\"\npush:"
		write(t, spec2, strings.Replace(fmt.Sprintf(changeSpec, r.Registry), "push:", sibling, 1))
		got := buildActions(t, spec2, "--lock", filepath.Join(dir, "wsbuild.lock"), "--set", "leaf.env.LEVEL=changed")
		wantActions(t, got, "root=skip middle=skip leaf=skip")
		if got["sibling"]["action"] != "build" {
			t.Fatalf("sibling: %v", got["sibling"])
		}
		assertNoParentBytes(t, uploads.Sent(), pull(t, ref("middle")))
		assertBuiltOn(t, pull(t, ref("sibling")), pull(t, ref("middle")))
	})

	t.Run("a copied file's change rebuilds its image and the ones below", func(t *testing.T) {
		write(t, filepath.Join(dir, "notes.txt"), "two\n")
		why := planWhy(t, specPath, "--set", "leaf.env.LEVEL=changed")
		if !slices.Equal(why["middle"].Reasons, []string{`file "notes.txt" changed`}) ||
			!slices.Equal(why["leaf"].Reasons, []string{`parent "middle" changed`}) || why["root"].Action != "skip" {
			t.Fatalf("plan --why: %+v", why)
		}
		got := buildActions(t, specPath, "--set", "leaf.env.LEVEL=changed")
		wantActions(t, got, "root=skip middle=build leaf=build")
		assertNoParentBytes(t, uploads.Sent(), pull(t, ref("root")))
		assertBuiltOn(t, pull(t, ref("middle")), pull(t, ref("root")))
		assertBuiltOn(t, pull(t, ref("leaf")), pull(t, ref("middle")))
		if headDigest(t, ref("root")).String() != first["root"]["digest"] {
			t.Errorf("the skipped root image's tag moved")
		}
	})

	t.Run("force rebuilds everything", func(t *testing.T) {
		got := buildActions(t, specPath, "--set", "leaf.env.LEVEL=changed", "--force")
		wantActions(t, got, "root=build middle=build leaf=build")
		if got["root"]["imageDigest"] != first["root"]["imageDigest"] {
			t.Errorf("cached root rebuilt to %v, was %v", got["root"]["imageDigest"], first["root"]["imageDigest"])
		}
	})

	t.Run("the lock holds when the base tag moves", func(t *testing.T) {
		locked := tagDigest(t, rig.BaseRef(r.Registry)).String()
		lockedLayers := layerDigests(t, pull(t, rig.BaseRef(r.Registry)))
		added := moveBaseTag(t, r.Registry)
		why := planWhy(t, specPath, "--set", "leaf.env.LEVEL=changed")
		if why["root"].Action != "skip" {
			t.Fatalf("with the lock, plan --why says %+v", why["root"])
		}
		// Built with the old lock, root is on the locked base, not the moved one.
		got := buildActions(t, specPath, "--set", "leaf.env.LEVEL=changed", "--force")
		wantActions(t, got, "root=build middle=build leaf=build")
		root := pull(t, ref("root"))
		cfg, err := root.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if d := cfg.Config.Labels["org.opencontainers.image.base.digest"]; d != locked {
			t.Errorf("root built after the base tag moved records base digest %q, want the locked %s", d, locked)
		}
		layers := layerDigests(t, root)
		if len(layers) < len(lockedLayers) || !slices.Equal(layers[:len(lockedLayers)], lockedLayers) || slices.Contains(layers, added) {
			t.Errorf("root built after the base tag moved has layers %v; want the locked base's %v first, and not the moved base's %s",
				layers, lockedLayers, added)
		}
		if got["root"]["imageDigest"] != first["root"]["imageDigest"] {
			t.Errorf("root built with the old lock is %v, was %v", got["root"]["imageDigest"], first["root"]["imageDigest"])
		}
		if code, stderr := wsbuild(t, "lock", "-f", specPath); code != 0 {
			t.Fatalf("lock exited %d:\n%s", code, stderr)
		}
		why = planWhy(t, specPath, "--set", "leaf.env.LEVEL=changed")
		moved := tagDigest(t, rig.BaseRef(r.Registry)).String()
		if why["root"].Action != "build" || !slices.Equal(why["root"].Reasons, []string{`base "debian:bookworm" now resolves to ` + moved + " (was " + locked + ")"}) {
			t.Fatalf("after relocking, plan --why says %+v", why["root"])
		}
	})

	// An image pushed before wsbuild annotated input values still says which
	// input changed.
	t.Run("an image without input values names the changed field", func(t *testing.T) {
		stripAnnotation(t, ref("leaf"), oci.AnnotationInputValues)
		why := planWhy(t, specPath, "--set", "leaf.env.LEVEL=again")
		if !slices.Contains(why["leaf"].Reasons, `spec field "env" changed`) {
			t.Fatalf("plan --why: %+v", why["leaf"])
		}
	})
}

// buildActions runs build --push --push-from wsbuild with args and returns
// its metadata.
func buildActions(t *testing.T, specPath string, args ...string) map[string]map[string]any {
	t.Helper()
	meta := filepath.Join(t.TempDir(), "meta.json")
	// The uploads TestChange counts are wsbuild's.
	code, stderr := wsbuild(t, append([]string{"build", "-f", specPath, "--push", "--push-from", "wsbuild",
		"--progress", "plain", "--metadata-file", meta}, args...)...)
	if code != 0 {
		t.Fatalf("build %v exited %d:\n%s", args, code, lastLines(stderr, 30))
	}
	return readMetadata(t, meta)
}

func wantActions(t *testing.T, m map[string]map[string]any, want string) {
	t.Helper()
	var got []string
	for _, img := range []string{"root", "middle", "leaf"} {
		got = append(got, fmt.Sprintf("%s=%v", img, m[img]["action"]))
	}
	if s := strings.Join(got, " "); s != want {
		t.Fatalf("actions %s, want %s", s, want)
	}
}

// planWhy runs plan --why -o json and returns its entries by name.
func planWhy(t *testing.T, specPath string, args ...string) map[string]planEntry {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), append([]string{"plan", "-f", specPath, "--why", "-o", "json"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("plan --why exited %d:\n%s", code, stderr.String())
	}
	var entries []planEntry
	if err := json.Unmarshal(stdout.Bytes(), &entries); err != nil {
		t.Fatal(err)
	}
	out := map[string]planEntry{}
	for _, e := range entries {
		out[e.Name] = e
	}
	return out
}

// planText runs plan -o text with args and returns its output.
func planText(t *testing.T, specPath string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), append([]string{"plan", "-f", specPath}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("plan %v exited %d:\n%s", args, code, stderr.String())
	}
	return stdout.String()
}

// rawManifest is a manifest to put as it is.
type rawManifest struct {
	b  []byte
	mt types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.b, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }

// stripAnnotation rewrites the manifest at ref without annotation key, as
// an older wsbuild pushed it.
func stripAnnotation(t *testing.T, ref, key string) {
	t.Helper()
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(tag)
	if err != nil {
		t.Fatal(err)
	}
	raw, mt := desc.Manifest, desc.MediaType
	if mt.IsIndex() { // an older wsbuild pushed the image manifest itself
		img, err := desc.Image()
		if err != nil {
			t.Fatal(err)
		}
		if raw, err = img.RawManifest(); err != nil {
			t.Fatal(err)
		}
		if mt, err = img.MediaType(); err != nil {
			t.Fatal(err)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	anns, _ := m["annotations"].(map[string]any)
	if _, ok := anns[key]; !ok {
		t.Fatalf("%s has no annotation %q", ref, key)
	}
	delete(anns, key)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(tag, rawManifest{b: b, mt: mt}); err != nil {
		t.Fatal(err)
	}
}

// assertNoParentBytes fails if any uploaded blob is one of parent's layers.
func assertNoParentBytes(t *testing.T, sent []string, parent v1.Image) {
	t.Helper()
	if len(sent) == 0 {
		t.Fatal("nothing was uploaded: the counter saw no push")
	}
	for _, l := range layerDigests(t, parent) {
		if slices.Contains(sent, l.String()) {
			t.Errorf("parent layer %s was uploaded again (uploads: %v)", l, sent)
		}
	}
}

// assertBuiltOn fails unless child's layers start with parent's, by digest.
func assertBuiltOn(t *testing.T, child, parent v1.Image) {
	t.Helper()
	pl, cl := layerDigests(t, parent), layerDigests(t, child)
	if len(cl) < len(pl) || !slices.Equal(cl[:len(pl)], pl) {
		t.Errorf("the child's layers %v do not start with its pushed parent's %v", cl, pl)
	}
}

// moveBaseTag points the rig's debian:bookworm at a different image: the
// base with a label and a layer added. It returns the added layer's digest.
func moveBaseTag(t *testing.T, registry string) v1.Hash {
	t.Helper()
	base := pull(t, rig.BaseRef(registry))
	mt, err := base.MediaType()
	if err != nil {
		t.Fatal(err)
	}
	lmt := types.DockerLayer
	if mt == types.OCIManifestSchema1 {
		lmt = types.OCILayer
	}
	layer, err := random.Layer(256, lmt)
	if err != nil {
		t.Fatal(err)
	}
	if base, err = mutate.AppendLayers(base, layer); err != nil {
		t.Fatal(err)
	}
	cfg, err := base.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	if cfg.Config.Labels == nil {
		cfg.Config.Labels = map[string]string{}
	}
	cfg.Config.Labels["moved"] = "yes"
	moved, err := mutate.ConfigFile(base, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(rig.BaseRef(registry), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, moved); err != nil {
		t.Fatal(err)
	}
	d, err := layer.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
