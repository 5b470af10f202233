package solve

import (
	"context"
	"io"
	"sync"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
)

// display merges the status channels of concurrent builds into one
// BuildKit progress display that runs while the builds do.
type display struct {
	sources []chan *bkclient.SolveStatus
	done    chan error
}

// startDisplay starts showing the progress of n builds on out.
func startDisplay(n int, mode progressui.DisplayMode, out io.Writer) (*display, error) {
	d, err := progressui.NewDisplay(out, mode)
	if err != nil {
		return nil, err
	}
	f := &display{done: make(chan error, 1)}
	merged := make(chan *bkclient.SolveStatus)
	var wg sync.WaitGroup
	for range n {
		src := make(chan *bkclient.SolveStatus)
		f.sources = append(f.sources, src)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for st := range src {
				merged <- st
			}
		}()
	}
	go func() { wg.Wait(); close(merged) }()
	go func() {
		// The display drains merged to the end, even after a build failed,
		// so it does not use the builds' (possibly cancelled) context.
		_, err := d.UpdateFrom(context.Background(), merged)
		for range merged {
		}
		f.done <- err
	}()
	return f, nil
}

// source is the channel build i writes its status to; the build closes it.
func (f *display) source(i int) chan *bkclient.SolveStatus { return f.sources[i] }

// wait returns once every source is closed and everything was shown.
func (f *display) wait() error { return <-f.done }
