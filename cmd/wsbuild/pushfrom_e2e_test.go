package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// pushFromSpec is a parent and a child, pushed to the namespace given.
const pushFromSpec = `images:
  parent:
    base: debian:bookworm
    apt: [less]
    tag: "1"
  child:
    from: parent
    apt: [tree]
    tag: "1"
push:
  - {registry: %s, namespace: %s, insecure: true}
`

// TestPushFromDaemon builds one family twice on a buildkitd reached through
// a byte-counting proxy: with --push-from daemon, buildkitd pushes the
// images by digest and wsbuild moves only manifests and tags; with
// --push-from wsbuild, every layer comes back to wsbuild and goes out
// again. It checks that the daemon's way moves next to nothing across the link and uploads
// no blob from wsbuild, and that its tags hold complete images, each child
// on its parent's layers, skipped by the next run.
func TestPushFromDaemon(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	useRig(t, r)
	conn := rig.BuildkitdForTest(t, r)
	proxy := rig.ByteProxyForTest(t, "unix", strings.TrimPrefix(conn.Addr(), "unix://"))
	uploads := countUploads(t)
	dir := t.TempDir()
	type run struct {
		received, sent int64
		uploads        int
		meta           map[string]map[string]any
	}
	build := func(ns, from string) run {
		t.Helper()
		spec := filepath.Join(dir, ns+".yaml")
		write(t, spec, fmt.Sprintf(pushFromSpec, r.Registry, ns))
		meta := filepath.Join(dir, ns+"-"+from+".json")
		recv, sent := proxy.Received(), proxy.Sent()
		uploads.Take()
		code, stderr := wsbuild(t, "build", "-f", spec, "--push", "--push-from", from, "--addr", proxy.Addr(),
			"--progress", "plain", "--metadata-file", meta)
		if code != 0 {
			t.Fatalf("build --push-from %s exited %d:\n%s", from, code, lastLines(stderr, 30))
		}
		up, _ := uploads.Take()
		return run{received: proxy.Received() - recv, sent: proxy.Sent() - sent, uploads: up, meta: readMetadata(t, meta)}
	}
	daemon := build("fromdaemon", "daemon")
	local := build("fromwsbuild", "wsbuild")
	t.Logf("--push-from daemon: %d bytes from buildkitd, %d to it, %d blobs uploaded by wsbuild", daemon.received, daemon.sent, daemon.uploads)
	t.Logf("--push-from wsbuild: %d bytes from buildkitd, %d to it, %d blobs uploaded by wsbuild", local.received, local.sent, local.uploads)

	child := pull(t, r.Registry+"/fromdaemon/child:1")
	parent := pull(t, r.Registry+"/fromdaemon/parent:1")
	var size int64
	for _, img := range []v1.Image{parent, child} {
		layers, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			rc, err := l.Compressed() // every blob the tag names is there
			if err != nil {
				t.Fatalf("reading a pushed layer: %v", err)
			}
			n, err := io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				t.Fatalf("reading a pushed layer: %v", err)
			}
			size += n
		}
	}
	// wsbuild sends only what it writes itself: the attestations.
	if att := attestationBlobs(t, r.Registry+"/fromdaemon/parent:1") + attestationBlobs(t, r.Registry+"/fromdaemon/child:1"); daemon.uploads != att {
		t.Errorf("--push-from daemon: wsbuild uploaded %d blobs, want only the %d of the attestations", daemon.uploads, att)
	}
	if local.received < size/2 {
		t.Errorf("--push-from wsbuild: %d bytes came from buildkitd, want at least half the images' %d bytes of layers", local.received, size)
	}
	if daemon.received > size/10 {
		t.Errorf("--push-from daemon: %d bytes came from buildkitd, want under a tenth of the images' %d bytes of layers", daemon.received, size)
	}
	for name, img := range map[string]v1.Image{"parent": parent, "child": child} {
		if got, want := mustDigest(t, img).String(), daemon.meta[name]["imageDigest"]; got != want {
			t.Errorf("%s: tag holds %s, the run says it pushed %v", name, got, want)
		}
	}
	if pl, cl := layerDigests(t, parent), layerDigests(t, child); len(cl) <= len(pl) || !slices.Equal(cl[:len(pl)], pl) {
		t.Errorf("child's layers %v do not start with its parent's %v", cl, pl)
	}
	// Both ways again on a warm builder, to fresh repositories: only the
	// export and the push differ. Reported, not asserted.
	for _, from := range []string{"daemon", "wsbuild"} {
		start := time.Now()
		build("warm"+from, from)
		t.Logf("--push-from %s, every step cached, to a fresh repository: %s", from, time.Since(start).Round(10*time.Millisecond))
	}
	again := build("fromdaemon", "daemon")
	for name, m := range again.meta {
		if m["action"] != "skip" {
			t.Errorf("rebuild with --push-from daemon: %s %v, want skip", name, m["action"])
		}
	}
}
