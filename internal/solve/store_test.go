package solve

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestOneWriterStore checks that a second writer of a ref waits for the
// first to commit and then finds the blob there, that other refs do not
// wait, and that a waiting writer gives up with its context.
func TestOneWriterStore(t *testing.T) {
	local, err := contentlocal.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := OneWriterStore(local)
	ctx := t.Context()
	blob := []byte("a layer two siblings share")
	dg := digest.FromBytes(blob)

	first, err := s.Writer(ctx, content.WithRef("layer"))
	if err != nil {
		t.Fatal(err)
	}
	// Another ref is not held up.
	other, err := s.Writer(ctx, content.WithRef("other"))
	if err != nil {
		t.Fatalf("writer of another ref: %v", err)
	}
	other.Close()

	// A waiting writer gives up with its context.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.Writer(short, content.WithRef("layer")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("writer while the ref is held: %v, want the deadline", err)
	}

	second := make(chan error, 1)
	go func() {
		w, err := s.Writer(ctx, content.WithRef("layer"), content.WithDescriptor(ocispecDesc(dg, len(blob))))
		if err == nil {
			w.Close()
		}
		second <- err
	}()
	select {
	case err := <-second:
		t.Fatalf("second writer of a held ref did not wait (err %v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	if _, err := first.Write(blob); err != nil {
		t.Fatal(err)
	}
	if err := first.Commit(ctx, int64(len(blob)), dg); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-second:
		// The local store reports the blob it now holds.
		if err != nil && !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("second writer after commit: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second writer still waiting after the first committed")
	}
	if _, err := s.Info(ctx, dg); err != nil {
		t.Errorf("blob not in the store: %v", err)
	}
}

func ocispecDesc(dg digest.Digest, size int) ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: dg, Size: int64(size)}
}
