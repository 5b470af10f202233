//go:build bench

// This measurement builds the whole catalogue twice on a second buildkitd
// (about ten minutes on two cores), more than CI's budget allows beside
// TestCatalogue: `make bench` runs it (go test -tags bench).

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// TestRemoteCatalogueBytes builds and pushes the stock catalogue's CPU
// family on a remote buildkitd (mutual TLS, through a counting proxy) and
// reports the bytes that move each way, beside the bytes of the distinct
// blobs pushed: first as the default for a tcp:// daemon does it (the daemon
// pushes the blobs; next to nothing comes down), then with --push-from
// wsbuild to other repositories (every blob comes down once, shared parent
// layers included, and wsbuild pushes it again).
func TestRemoteCatalogueBytes(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	b, proxy, addr := remoteBuilder(t, r)
	dir := t.TempDir()
	specPath := catalogueSpec(t, dir, r.Registry, "")
	names := catalogueNames(t)
	build := func(what string, extra ...string) (up, down int64) {
		t.Helper()
		sent, received := proxy.Sent(), proxy.Received()
		args := append([]string{"build", "-f", specPath, "--set-file", filepath.Join(dir, "offline.sets"),
			"--push", "--progress", "plain", "--addr", addr}, tlsFlags(b.Files.CACert, b.Files.ClientCert, b.Files.ClientKey)...)
		if code, stderr := wsbuild(t, append(append(args, extra...), names...)...); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", what, code, lastLines(stderr, 40))
		}
		return proxy.Sent() - sent, proxy.Received() - received
	}

	up, down := build("building the catalogue on the remote buildkitd")
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
	t.Logf("the catalogue's %d images have %d distinct blobs, %d bytes", len(names), len(blobs), unique)
	t.Logf("cold, --push-from auto (daemon): %d bytes up (wsbuild to buildkitd), %d bytes down (buildkitd to wsbuild)", up, down)
	if down > unique/50 {
		t.Errorf("%d bytes came down for %d bytes of distinct blobs the daemon pushes itself", down, unique)
	}

	s, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	write(t, specPath, strings.Replace(string(s), "namespace: catalogue", "namespace: cataloguelocal", 1))
	up, down = build("building the catalogue again with --push-from wsbuild", "--push-from", "wsbuild")
	t.Logf("steps cached, --push-from wsbuild: %d bytes up, %d bytes down", up, down)
	if down < unique*9/10 || down > unique*3/2 {
		t.Errorf("%d bytes came down for %d bytes of distinct blobs: want each blob once", down, unique)
	}
}
