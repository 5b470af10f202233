package solve

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Pruned is what PruneStore did.
type Pruned struct {
	// Removed counts the blobs removed, and RemovedBytes their size.
	Removed      int
	RemovedBytes int64
	// Held is the size of the blobs left.
	Held int64
}

// PruneStore removes from s every blob that none of keep (image manifests or
// indexes) refers to, and every unfinished write; then, while the blobs left
// are larger than limit (when limit > 0), the oldest of them. The store is
// only a cache of what buildkitd exported: a blob removed is sent again the
// next time an image needs it. No one else may write to s meanwhile.
func PruneStore(ctx context.Context, s content.Store, keep []ocispec.Descriptor, limit int64) (Pruned, error) {
	wanted, err := referenced(ctx, s, keep)
	if err != nil {
		return Pruned{}, err
	}
	return prune(ctx, s, func(d digest.Digest) bool { return wanted[d] }, limit)
}

// TrimStore removes every unfinished write from s and then, while the
// blobs left are larger than limit, the oldest of them. No one else may
// write to s meanwhile.
func TrimStore(ctx context.Context, s content.Store, limit int64) (Pruned, error) {
	return prune(ctx, s, func(digest.Digest) bool { return true }, limit)
}

// prune removes every unfinished write and every blob not wanted from s,
// and then the oldest blobs while those left are larger than limit (when
// limit > 0).
func prune(ctx context.Context, s content.Store, wanted func(digest.Digest) bool, limit int64) (Pruned, error) {
	var p Pruned
	statuses, err := s.ListStatuses(ctx)
	if err != nil {
		return p, fmt.Errorf("listing unfinished writes: %w", err)
	}
	for _, st := range statuses {
		if err := s.Abort(ctx, st.Ref); err != nil && !errdefs.IsNotFound(err) {
			return p, fmt.Errorf("removing unfinished write %q: %w", st.Ref, err)
		}
	}
	var held []content.Info
	err = s.Walk(ctx, func(info content.Info) error {
		held = append(held, info)
		p.Held += info.Size
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("listing the content store: %w", err)
	}
	// Unreferenced blobs first, then the oldest.
	slices.SortStableFunc(held, func(a, b content.Info) int {
		if wa, wb := wanted(a.Digest), wanted(b.Digest); wa != wb {
			if wa {
				return 1
			}
			return -1
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	for _, info := range held {
		if wanted(info.Digest) && (limit <= 0 || p.Held <= limit) {
			break
		}
		if err := s.Delete(ctx, info.Digest); err != nil && !errdefs.IsNotFound(err) {
			return p, fmt.Errorf("removing %s from the content store: %w", info.Digest, err)
		}
		p.Removed++
		p.RemovedBytes += info.Size
		p.Held -= info.Size
	}
	return p, nil
}

// referenced returns every blob that descs refer to in s, themselves
// included. A blob missing from s is skipped.
func referenced(ctx context.Context, s content.Provider, descs []ocispec.Descriptor) (map[digest.Digest]bool, error) {
	out := map[digest.Digest]bool{}
	children := images.ChildrenHandler(s)
	err := images.Walk(ctx, images.HandlerFunc(func(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		out[desc.Digest] = true
		subs, err := children(ctx, desc)
		if errdefs.IsNotFound(err) {
			return nil, nil
		}
		return subs, err
	}), descs...)
	if err != nil && !errors.Is(err, images.ErrSkipDesc) {
		return nil, fmt.Errorf("reading the images to keep in the content store: %w", err)
	}
	return out, nil
}
