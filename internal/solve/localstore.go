package solve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/sirupsen/logrus"
)

// fsverityWarning is what containerd's local content store logs, through
// logrus's standard logger, every time it opens on a file system without
// fs-verity (overlayfs, tmpfs, most ext4 set-ups). The store works the same
// without it; the warning says nothing a user can act on.
var fsverityWarning = []byte("failed check for fsverity support")

// LocalStore is the local content store of a folder, which built images
// are exported into and pushed from. Every run that uses it holds a shared
// lock on DIR.lock, so that pruning (which takes it exclusively) never
// removes a blob another run is writing or reading.
type LocalStore struct {
	content.Store
	lock *flock.Flock
}

// OpenStore opens (creating it if need be) the local content store in dir,
// without containerd's warning about fs-verity support, and takes the
// shared lock, waiting while a prune holds it.
func OpenStore(ctx context.Context, dir string) (*LocalStore, error) {
	return openStore(ctx, dir, false)
}

// openStore opens the store in dir and takes its lock, exclusive or shared.
func openStore(ctx context.Context, dir string, exclusive bool) (*LocalStore, error) {
	logger := logrus.StandardLogger()
	if _, ok := logger.Out.(dropWriter); !ok {
		logger.SetOutput(dropWriter{logger.Out})
	}
	// containerd's store makes blobs/ at the first write, but Walk fails
	// without it: a run that writes nothing (lock) would fail to prune.
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o755); err != nil {
		return nil, fmt.Errorf("opening content store %q: %w", dir, err)
	}
	s, err := contentlocal.NewStore(dir)
	if err != nil {
		return nil, fmt.Errorf("opening content store %q: %w", dir, err)
	}
	lock := flock.New(filepath.Clean(dir)+".lock", flock.SetPermissions(0o600))
	try := lock.TryRLockContext
	if exclusive {
		try = lock.TryLockContext
	}
	if _, err := try(ctx, lockRetryDelay); err != nil {
		return nil, fmt.Errorf("locking content store %q: %w", dir, err)
	}
	return &LocalStore{Store: s, lock: lock}, nil
}

// lockRetryDelay is how often a waiting run retries the store's lock.
const lockRetryDelay = 200 * time.Millisecond

// Close prunes the store to keep and limit (see PruneStore) when no other
// run holds it, and releases it; with no images to keep (a run that built
// nothing, or only resolved bases) it only trims the store to limit (see
// TrimStore). ok says whether it pruned.
func (s *LocalStore) Close(ctx context.Context, keep []ocispec.Descriptor, limit int64) (p Pruned, ok bool, err error) {
	defer func() {
		if uerr := s.lock.Unlock(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("unlocking %s: %w", s.lock.Path(), uerr))
		}
	}()
	// Converting the shared lock to an exclusive one fails while another
	// run holds the store; that run prunes when it ends.
	if ok, err = s.lock.TryLock(); err != nil || !ok {
		return p, false, err
	}
	if len(keep) == 0 {
		p, err = TrimStore(ctx, s.Store, limit)
	} else {
		p, err = PruneStore(ctx, s.Store, keep, limit)
	}
	return p, err == nil, err
}

// PruneLocalStore empties the store in dir (all), or removes its oldest
// blobs until it holds at most limit bytes, and unfinished writes; it waits
// while a run holds the store.
func PruneLocalStore(ctx context.Context, dir string, all bool, limit int64) (p Pruned, err error) {
	s, err := openStore(ctx, dir, true)
	if err != nil {
		return p, err
	}
	defer func() {
		if uerr := s.lock.Unlock(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("unlocking %s: %w", s.lock.Path(), uerr))
		}
	}()
	if all {
		return PruneStore(ctx, s.Store, nil, 0)
	}
	return TrimStore(ctx, s.Store, limit)
}

// dropWriter passes on every log entry (logrus writes one a call) but the
// fs-verity warning.
type dropWriter struct{ w io.Writer }

func (d dropWriter) Write(p []byte) (int, error) {
	if bytes.Contains(p, fsverityWarning) {
		return len(p), nil
	}
	return d.w.Write(p)
}
