package solve

import (
	"context"
	"sync"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/opencontainers/go-digest"
)

// OneWriterStore wraps a content store so that concurrent exports writing
// the same blob (a parent layer shared by sibling images) take turns: the
// second waits for the first and then finds the blob already there, instead
// of failing on the store's ref lock and retrying.
func OneWriterStore(s content.Store) content.Store {
	return &oneWriterStore{Store: s, busy: map[string]chan struct{}{}}
}

type oneWriterStore struct {
	content.Store
	mu   sync.Mutex
	busy map[string]chan struct{}
}

// Writer waits until no other writer holds the same ref, then opens one.
func (s *oneWriterStore) Writer(ctx context.Context, opts ...content.WriterOpt) (content.Writer, error) {
	var wo content.WriterOpts
	for _, o := range opts {
		if err := o(&wo); err != nil {
			return nil, err
		}
	}
	for {
		s.mu.Lock()
		ch, held := s.busy[wo.Ref]
		if !held {
			ch = make(chan struct{})
			s.busy[wo.Ref] = ch
			s.mu.Unlock()
			break
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	w, err := s.Store.Writer(ctx, opts...)
	if err != nil {
		s.release(wo.Ref)
		return nil, err
	}
	return &releasingWriter{Writer: w, release: func() { s.release(wo.Ref) }}, nil
}

func (s *oneWriterStore) release(ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.busy[ref]; ok {
		close(ch)
		delete(s.busy, ref)
	}
}

// releasingWriter frees its ref when it is closed.
type releasingWriter struct {
	content.Writer
	once    sync.Once
	release func()
}

func (w *releasingWriter) Close() error {
	err := w.Writer.Close()
	w.once.Do(w.release)
	return err
}

func (w *releasingWriter) Commit(ctx context.Context, size int64, expected digest.Digest, opts ...content.Opt) error {
	err := w.Writer.Commit(ctx, size, expected, opts...)
	w.once.Do(w.release)
	return err
}
