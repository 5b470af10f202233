package main

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// TestProxyCountsUploads pushes a parent and two children through the
// proxy to a real registry: one child uploads the parent's layers again,
// the other mounts them. The proxy must count every uploaded byte by
// digest, and findLeaks must name exactly the re-uploaded parent layers.
func TestProxyCountsUploads(t *testing.T) {
	r := rig.ForTest(t)
	p, err := startProxy(r.Registry)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	ctx := t.Context()
	push := func(repo string, img v1.Image) {
		t.Helper()
		ref, err := name.ParseReference(p.Addr+"/ns/"+repo+":"+familyTag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
			t.Fatal(err)
		}
	}

	parent, err := random.Image(4096, 2)
	if err != nil {
		t.Fatal(err)
	}
	push("parent", parent)
	tr := p.Take().repos["ns/parent"]
	layers, _ := parent.Layers()
	var want int64
	for _, l := range layers {
		d, _ := l.Digest()
		n, _ := l.Size()
		want += n
		if tr.Uploaded[d.String()] != n {
			t.Errorf("layer %s: counted %d bytes, it has %d", d, tr.Uploaded[d.String()], n)
		}
	}
	cfg, _ := parent.RawConfigFile()
	if tr.UploadBytes != want+int64(len(cfg)) || tr.ManifestPuts != 1 {
		t.Errorf("parent push: %d bytes, %d manifests; want %d bytes (layers and config), 1 manifest",
			tr.UploadBytes, tr.ManifestPuts, want+int64(len(cfg)))
	}

	extra, err := random.Layer(1024, types.OCILayer)
	if err != nil {
		t.Fatal(err)
	}
	child, err := mutate.AppendLayers(parent, extra)
	if err != nil {
		t.Fatal(err)
	}
	family := map[string]string{"parent": "", "child": "parent", "mounting": "parent"}
	push("child", child)
	leaks, err := findLeaks(ctx, r.Registry, "ns", family, p.Take())
	if err != nil {
		t.Fatal(err)
	}
	var leaked int64
	for _, l := range leaks {
		leaked += l.Bytes
	}
	if len(leaks) != 2 || leaked != want {
		t.Errorf("child uploading its parent's layers: leaks %+v, want 2 of %d bytes in all", leaks, want)
	}

	from, _ := name.ParseReference(p.Addr+"/ns/parent:"+familyTag, name.Insecure)
	var mountable []v1.Layer
	for _, l := range layers {
		mountable = append(mountable, &remote.MountableLayer{Layer: l, Reference: from})
	}
	base, err := mutate.AppendLayers(empty.Image, mountable...)
	if err != nil {
		t.Fatal(err)
	}
	mounting, err := mutate.AppendLayers(base, extra)
	if err != nil {
		t.Fatal(err)
	}
	push("mounting", mounting)
	tr2 := p.Take()
	if leaks, _ := findLeaks(ctx, r.Registry, "ns", family, tr2); len(leaks) != 0 {
		t.Errorf("child mounting its parent's layers: leaks %+v", leaks)
	}
	if m := tr2.repos["ns/mounting"].Mounts; m != 2 {
		t.Errorf("child mounting its parent's layers asked for %d mounts, want 2", m)
	}
}
