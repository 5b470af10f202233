package main

import (
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/templates"
)

// TestRemoteCatalogueBytes builds and pushes the stock catalogue's CPU
// family on a remote buildkitd (mutual TLS, through a counting proxy) and
// reports the bytes that move each way, beside the bytes of the distinct
// blobs pushed. Every blob comes down to wsbuild once, shared parent
// layers included, so the traffic from the daemon is about those blobs and
// no more.
func TestRemoteCatalogueBytes(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	b, proxy, addr := remoteBuilder(t, r)
	dir := t.TempDir()
	specPath := catalogueSpec(t, dir, r.Registry, "")
	names := catalogueNames(t)
	args := append([]string{"build", "-f", specPath, "--set-file", filepath.Join(dir, "offline.sets"),
		"--push", "--progress", "plain", "--addr", addr}, tlsFlags(b.Files.CACert, b.Files.ClientCert, b.Files.ClientKey)...)
	if code, stderr := wsbuild(t, append(args, names...)...); code != exitOK {
		t.Fatalf("building the catalogue on the remote buildkitd: exit %d\n%s", code, lastLines(stderr, 40))
	}
	up, down := proxy.Bytes()

	blobs := map[v1.Hash]int64{}
	for _, n := range names {
		m, err := pull(t, r.Registry+"/catalogue/"+n+":3.11").Manifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range append(m.Layers, m.Config) {
			blobs[d.Digest] = d.Size
		}
	}
	var unique int64
	for _, n := range blobs {
		unique += n
	}
	t.Logf("the catalogue's %d images on a remote buildkitd: %d bytes up (wsbuild to buildkitd), %d bytes down (buildkitd to wsbuild); the images' %d distinct blobs are %d bytes, all of which wsbuild then pushes", len(names), up, down, len(blobs), unique)
	if down < unique*9/10 || down > unique*3/2 {
		t.Errorf("%d bytes came down for %d bytes of distinct blobs: want each blob once", down, unique)
	}
}

// catalogueNames are the names of the stock catalogue's images.
func catalogueNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, line := range strings.Split(string(templates.Catalogue), "\n") {
		if n, ok := strings.CutSuffix(line, ":"); ok && strings.HasPrefix(n, "  ") && !strings.HasPrefix(n, "   ") {
			names = append(names, strings.TrimSpace(n))
		}
	}
	if len(names) != 9 {
		t.Fatalf("found %d catalogue images, want 9: %v", len(names), names)
	}
	return names
}
