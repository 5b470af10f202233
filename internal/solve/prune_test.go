package solve

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// putBlob writes data into s and returns its descriptor.
func putBlob(t *testing.T, s content.Store, mediaType string, data []byte) ocispec.Descriptor {
	t.Helper()
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	if err := content.WriteBlob(t.Context(), s, desc.Digest.String(), bytes.NewReader(data), desc); err != nil {
		t.Fatal(err)
	}
	return desc
}

// putImage writes a manifest of a config and layers (made of the strings
// given) into s and returns the manifest's descriptor.
func putImage(t *testing.T, s content.Store, config string, layers ...ocispec.Descriptor) ocispec.Descriptor {
	t.Helper()
	m := ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, Layers: layers,
		Config: putBlob(t, s, ocispec.MediaTypeImageConfig, []byte(config))}
	m.SchemaVersion = 2
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return putBlob(t, s, ocispec.MediaTypeImageManifest, raw)
}

func held(t *testing.T, s content.Store) map[digest.Digest]bool {
	t.Helper()
	out := map[digest.Digest]bool{}
	if err := s.Walk(t.Context(), func(i content.Info) error { out[i.Digest] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPruneStore keeps what the run's images refer to, removes an older
// image, a stray blob and an unfinished write, and then, under a limit,
// the oldest blobs first.
func TestPruneStore(t *testing.T) {
	s, err := OpenStore(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	layer := func(s2 string) []byte { return bytes.Repeat([]byte(s2), 1000) }
	base := putBlob(t, s, ocispec.MediaTypeImageLayerGzip, layer("base"))
	time.Sleep(10 * time.Millisecond) // so the blobs' times differ
	old := putBlob(t, s, ocispec.MediaTypeImageLayerGzip, layer("old"))
	oldImage := putImage(t, s, `{"old":1}`, base, old)
	stray := putBlob(t, s, "application/octet-stream", []byte("stray"))
	time.Sleep(10 * time.Millisecond)
	nu := putBlob(t, s, ocispec.MediaTypeImageLayerGzip, layer("new"))
	newImage := putImage(t, s, `{"new":1}`, base, nu)
	w, err := s.Writer(ctx, content.WithRef("unfinished"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("half a layer")); err != nil {
		t.Fatal(err)
	}
	w.Close()

	p, err := PruneStore(ctx, s, []ocispec.Descriptor{newImage}, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := held(t, s)
	for _, d := range []ocispec.Descriptor{base, nu, newImage} {
		if !h[d.Digest] {
			t.Errorf("%s (the run's image) was removed", d.Digest)
		}
	}
	for _, d := range []ocispec.Descriptor{old, oldImage, stray} {
		if h[d.Digest] {
			t.Errorf("%s (not the run's) is still held", d.Digest)
		}
	}
	if p.Removed != 4 || p.RemovedBytes != old.Size+oldImage.Size+stray.Size+int64(len(`{"old":1}`)) {
		t.Errorf("pruned %+v, want the old image (manifest, config, layer) and the stray blob", p)
	}
	if st, err := s.ListStatuses(ctx); err != nil || len(st) != 0 {
		t.Errorf("unfinished writes left: %v (%v)", st, err)
	}

	// Under a limit of one layer, the oldest blob (the shared base layer)
	// goes first, and everything until the rest fits.
	p, err = PruneStore(ctx, s, []ocispec.Descriptor{newImage}, nu.Size)
	if err != nil {
		t.Fatal(err)
	}
	if h := held(t, s); h[base.Digest] || p.Held > nu.Size {
		t.Errorf("with a limit of %d bytes: pruned %+v, base layer held %v", nu.Size, p, h[base.Digest])
	}
	if _, err := PruneStore(context.Background(), s, nil, 0); err != nil {
		t.Fatal(err)
	}
	if h := held(t, s); len(h) != 0 {
		t.Errorf("keeping nothing left %d blobs", len(h))
	}
}

// TestLocalStoreClosePrunesAlone checks that a run closing the store
// prunes it only when no other run holds it.
func TestLocalStoreClosePrunesAlone(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	a, err := OpenStore(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenStore(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	stray := putBlob(t, a, "application/octet-stream", []byte("stray"))
	kept := putImage(t, a, `{"kept":1}`)
	if _, ok, err := a.Close(ctx, []ocispec.Descriptor{kept}, 0); err != nil || ok {
		t.Errorf("closing while another run holds the store: pruned %v (%v), want no prune", ok, err)
	}
	if !held(t, b)[stray.Digest] {
		t.Error("a blob was removed while another run held the store")
	}
	if p, ok, err := b.Close(ctx, []ocispec.Descriptor{kept}, 0); err != nil || !ok || p.Removed != 1 {
		t.Errorf("the last run closing: pruned %+v %v (%v), want the stray blob removed", p, ok, err)
	}
}

// TestLocalStoreCloseWithoutImages checks that a run that built nothing
// leaves the store's blobs, but for what exceeds the limit, oldest first.
func TestLocalStoreCloseWithoutImages(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	open := func() *LocalStore {
		s, err := OpenStore(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	first := putBlob(t, s, "application/octet-stream", bytes.Repeat([]byte("1"), 100))
	time.Sleep(10 * time.Millisecond)
	second := putBlob(t, s, "application/octet-stream", bytes.Repeat([]byte("2"), 100))
	if p, ok, err := s.Close(ctx, nil, 0); err != nil || !ok || p.Removed != 0 {
		t.Errorf("closing with no images and no limit: %+v %v (%v), want nothing removed", p, ok, err)
	}
	s = open()
	if p, ok, err := s.Close(ctx, nil, 150); err != nil || !ok || p.Removed != 1 || p.Held != 100 {
		t.Errorf("closing with no images under a limit of 150 bytes: %+v %v (%v), want the oldest blob removed", p, ok, err)
	}
	if h := held(t, open()); h[first.Digest] || !h[second.Digest] {
		t.Errorf("held %v, want only the newer blob", h)
	}
}

// TestLocalStoreCloseNeverWritten checks that a store opened and closed
// without a blob written (a run that only resolved bases, in a fresh cache
// folder) closes and prunes cleanly: the store has no blobs folder yet.
func TestLocalStoreCloseNeverWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	ctx := t.Context()
	s, err := OpenStore(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok, err := s.Close(ctx, nil, 100); err != nil || !ok || p != (Pruned{}) {
		t.Errorf("closing a store never written: %+v %v (%v), want nothing pruned and no error", p, ok, err)
	}
	if p, err := PruneLocalStore(ctx, dir, true, 0); err != nil || p != (Pruned{}) {
		t.Errorf("pruning a store never written: %+v (%v), want nothing pruned and no error", p, err)
	}
}
