package solve

import (
	"context"
	"io"
	"sync"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
)

// display merges the status channels of concurrent builds into one
// BuildKit progress display that runs while the builds do. A step the
// builds share reports its output to every build that needs it; the display
// shows it once (see dedupe). Each build's step output is also kept, so a
// failing step can be reported with its last lines (see tail).
type display struct {
	sources []chan *bkclient.SolveStatus
	tails   []*tails
	drained []chan struct{}
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
		t := newTails()
		drained := make(chan struct{})
		f.sources = append(f.sources, src)
		f.tails = append(f.tails, t)
		f.drained = append(f.drained, drained)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for st := range src {
				t.record(st)
				merged <- st
			}
			close(drained)
		}()
	}
	go func() { wg.Wait(); close(merged) }()
	shown := make(chan *bkclient.SolveStatus)
	go dedupe(merged, shown)
	go func() {
		// The display drains shown to the end, even after a build failed,
		// so it does not use the builds' (possibly cancelled) context.
		_, err := d.UpdateFrom(context.Background(), shown)
		for range shown {
		}
		f.done <- err
	}()
	return f, nil
}

// source is the channel build i writes its status to; the build closes it.
func (f *display) source(i int) chan *bkclient.SolveStatus { return f.sources[i] }

// tail returns the output build i recorded, once everything it wrote to
// its source was read.
func (f *display) tail(i int) *tails {
	<-f.drained[i]
	return f.tails[i]
}

// wait returns once every source is closed and everything was shown.
func (f *display) wait() error { return <-f.done }

// ShowStatus starts a BuildKit progress display in mode (see CheckProgress)
// on out, as Build shows its own, for the statuses sent on the returned
// channel; phase names what they show in the tty display's header
// ("Pushing"). Close the channel, then call wait: it returns once
// everything sent was shown.
func ShowStatus(mode, phase string, out io.Writer) (status chan<- *bkclient.SolveStatus, wait func() error, err error) {
	d, err := progressui.NewDisplay(out, progressui.DisplayMode(mode), progressui.WithPhase(phase))
	if err != nil {
		return nil, nil, err
	}
	ch := make(chan *bkclient.SolveStatus)
	done := make(chan error, 1)
	go func() {
		_, err := d.UpdateFrom(context.Background(), ch)
		for range ch {
		}
		done <- err
	}()
	return ch, func() error { return <-done }, nil
}
