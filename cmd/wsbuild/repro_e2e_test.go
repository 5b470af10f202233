package main

import (
	"archive/tar"
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// reproSpec is a small real family: packages, the user, volumes, a copied
// file, env and a test, and a child with Python and a pip package (whose
// .pyc files embed times unless the build honours SOURCE_DATE_EPOCH).
const reproSpec = `images:
  repro:
    base: debian:bookworm
    apt: [tree]
    user: {name: ada, uid: 1001, gid: 1001}
    volumes: [data]
    copy:
      - {src: notes.txt, dst: notes.txt}
    env: {GREETING: hello}
    test: ["tree -a \"$HOME\"", "test \"$GREETING\" = hello"]
  repro-child:
    from: repro
    python: "3.11"
    pip: [wsdemo]
    env: {PIP_INDEX_URL: "%s"}
    volumes: [scratch]
    workdir: /home/ada/work
push:
  - {registry: %s, namespace: repro, insecure: true}
`

// TestReproducible builds and pushes the same spec twice with a source date
// epoch, each time with a fresh buildkitd state and cache, and gets the same
// pushed manifest digests; then with another epoch from $SOURCE_DATE_EPOCH
// and gets other digests, with that epoch as every timestamp of the images.
func TestReproducible(t *testing.T) {
	r := rig.ForTest(t)
	t.Setenv(buildkitd.EnvBinary, r.Buildkitd)
	t.Setenv(buildkitd.EnvConfig, r.BuildkitdConfig)
	t.Setenv(buildkitd.EnvHost, "")
	t.Setenv(envSourceDateEpoch, "")
	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(reproSpec, servePackageIndex(t, "wsdemo"), r.Registry))
	write(t, filepath.Join(dir, "notes.txt"), "notes\n")
	names := []string{"repro", "repro-child"}
	ref := func(name string) string { return r.Registry + "/repro/" + name + ":latest" }

	// build runs wsbuild build with args in the cache folder cache (its
	// buildkitd's state is in there) and returns the built images' metadata.
	build := func(what, cache string, args ...string) map[string]map[string]any {
		t.Helper()
		t.Setenv("WSBUILD_CACHE_DIR", cache)
		meta := filepath.Join(t.TempDir(), "meta.json")
		args = append([]string{"build", "-f", specPath, "--progress", "plain", "--metadata-file", meta}, args...)
		if code, stderr := wsbuild(t, args...); code != 0 {
			t.Fatalf("%s build exited %d:\n%s", what, code, lastLines(stderr, 40))
		}
		return readMetadata(t, meta)
	}
	// pushed builds and pushes with a fresh state, and returns the images
	// the tags then hold.
	pushed := func(what string) map[string]v1.Image {
		t.Helper()
		m := build(what, t.TempDir(), "--source-date-epoch", "1700000000", "--push", "--force")
		out := map[string]v1.Image{}
		for _, name := range names {
			d := headDigest(t, ref(name))
			if m[name]["pushed"] != true || m[name]["digest"] != d.String() {
				t.Fatalf("%s build: %s holds %s; metadata %v", what, ref(name), d, m[name])
			}
			out[name] = pull(t, r.Registry+"/repro/"+name+"@"+d.String())
		}
		return out
	}
	first := pushed("first")
	second := pushed("second")
	for _, name := range names {
		if a, b := mustDigest(t, first[name]), mustDigest(t, second[name]); a != b {
			t.Errorf("%s: two builds with the same epoch pushed %s and %s; what differs:\n%s",
				name, a, b, strings.Join(imageDiff(t, first[name], second[name]), "\n"))
		}
	}

	t.Setenv(envSourceDateEpoch, "1600000000")
	cache := t.TempDir()
	third := map[string]v1.Image{}
	for name, m := range build("third", cache) {
		third[name] = storedImage(t, cache, m["digest"].(string))
	}
	epoch := time.Unix(1600000000, 0).UTC()
	base := layerDigests(t, pull(t, rig.BaseRef(r.Registry)))
	for _, name := range names {
		img := third[name]
		if mustDigest(t, img) == mustDigest(t, first[name]) {
			t.Errorf("%s: another epoch gives the same digest", name)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if !cf.Created.Time.Equal(epoch) {
			t.Errorf("%s: config created %v, want %v", name, cf.Created.Time, epoch)
		}
		if len(cf.History) == 0 {
			t.Errorf("%s: no history", name)
		}
		for i, h := range cf.History {
			if !h.Created.Time.Equal(epoch) {
				t.Errorf("%s: history %d (%s) created %v, want %v", name, i, h.CreatedBy, h.Created.Time, epoch)
			}
		}
		layers := layerDigests(t, img)
		if !slices.Equal(layers[:len(base)], base) {
			t.Errorf("%s: the base's layers %v were rewritten: %v", name, base, layers[:len(base)])
		}
		ls, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls[len(base):] {
			walkLayer(t, l, func(h *tar.Header, _ io.Reader) {
				if h.ModTime.After(epoch) {
					t.Errorf("%s: %s has time %v, after the epoch", name, h.Name, h.ModTime)
				}
				if strings.HasSuffix(h.Name, "notes.txt") && !h.ModTime.Equal(epoch) {
					t.Errorf("%s: the copied %s has time %v, want the epoch", name, h.Name, h.ModTime)
				}
			})
		}
	}
	shadow := strings.Split(fileIn(t, third["repro"], "etc/shadow"), "\n")
	i := slices.IndexFunc(shadow, func(l string) bool { return strings.HasPrefix(l, "ada:") })
	if days := fmt.Sprint(epoch.Unix() / 86400); i < 0 || strings.Split(shadow[i], ":")[2] != days {
		t.Errorf("useradd did not take the epoch's day %s as the password's last change: %q", days, shadow[max(i, 0)])
	}
	if pl, cl := layerDigests(t, third["repro"]), layerDigests(t, third["repro-child"]); len(cl) <= len(pl) || !slices.Equal(cl[:len(pl)], pl) {
		t.Errorf("the parent's layers %v are not a prefix of the child's %v", pl, cl)
	}
}

// storedImage reads the image with manifest digest d from the content
// store of wsbuild's cache folder.
func storedImage(t *testing.T, cache, d string) v1.Image {
	t.Helper()
	store, err := contentlocal.NewStore(filepath.Join(cache, "content"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := store.Info(t.Context(), digest.Digest(d))
	if err != nil {
		t.Fatalf("manifest %s: %v", d, err)
	}
	img, err := publish.FromStore(t.Context(), store, ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: info.Digest, Size: info.Size})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// walkLayer calls fn with every entry of layer l and its content.
func walkLayer(t *testing.T, l v1.Layer, fn func(h *tar.Header, content io.Reader)) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		h.Name = strings.TrimPrefix(h.Name, "./")
		fn(h, tr)
	}
}

// imageDiff says how two images differ: their configs, and the entries of
// each pair of layers that differ, by header or content.
func imageDiff(t *testing.T, a, b v1.Image) []string {
	t.Helper()
	var out []string
	ca, _ := a.RawConfigFile()
	cb, _ := b.RawConfigFile()
	if string(ca) != string(cb) {
		out = append(out, "config:\n  "+string(ca)+"\n  "+string(cb))
	}
	la, err := a.Layers()
	if err != nil {
		t.Fatal(err)
	}
	lb, err := b.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(la) != len(lb) {
		return append(out, fmt.Sprintf("%d layers, %d layers", len(la), len(lb)))
	}
	for i := range la {
		da, _ := la[i].Digest()
		db, _ := lb[i].Digest()
		if da == db {
			continue
		}
		ea, eb := layerSummary(t, la[i]), layerSummary(t, lb[i])
		var names []string
		for n := range ea {
			names = append(names, n)
		}
		for n := range eb {
			if _, ok := ea[n]; !ok {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			if ea[n] != eb[n] {
				out = append(out, fmt.Sprintf("layer %d: %s\n  %s\n  %s", i, n, ea[n], eb[n]))
			}
		}
	}
	return out
}

// layerSummary describes every entry of l: its header fields and a digest of
// its content.
func layerSummary(t *testing.T, l v1.Layer) map[string]string {
	t.Helper()
	out := map[string]string{}
	walkLayer(t, l, func(h *tar.Header, r io.Reader) {
		sum := sha256.New()
		if _, err := io.Copy(sum, r); err != nil {
			t.Fatal(err)
		}
		out[h.Name] = fmt.Sprintf("type %c mode %o uid %d gid %d size %d mtime %d link %q pax %v sha256 %x",
			h.Typeflag, h.Mode, h.Uid, h.Gid, h.Size, h.ModTime.Unix(), h.Linkname, h.PAXRecords, sum.Sum(nil)[:8])
	})
	return out
}
