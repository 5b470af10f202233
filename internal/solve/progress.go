package solve

import (
	"context"
	"io"
	"sync"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
)

// Progress is one BuildKit progress display for a whole run: the status of
// every build, and of anything else that reports as BuildKit does (the
// pushes), goes to it through a source of its own. Steps the builds share
// show once (see dedupe).
type Progress struct {
	merged chan *bkclient.SolveStatus
	// open counts the sources not closed yet, and one for the Progress
	// itself until Close.
	open    sync.WaitGroup
	closing sync.Once
	done    chan error
}

// StartProgress starts a display in mode (see CheckProgress) on out.
func StartProgress(mode string, out io.Writer) (*Progress, error) {
	d, err := progressui.NewDisplay(out, progressui.DisplayMode(mode))
	if err != nil {
		return nil, err
	}
	p := &Progress{merged: make(chan *bkclient.SolveStatus), done: make(chan error, 1)}
	p.open.Add(1)
	go func() { p.open.Wait(); close(p.merged) }()
	shown := make(chan *bkclient.SolveStatus)
	go dedupe(p.merged, shown)
	go func() {
		// The display drains shown to the end, even after a build failed,
		// so it does not use the builds' (possibly cancelled) context.
		_, err := d.UpdateFrom(context.Background(), shown)
		for range shown {
		}
		p.done <- err
	}()
	return p, nil
}

// Source returns a channel whose statuses show on the display; the caller
// closes it when done. Call it before Close.
func (p *Progress) Source() chan<- *bkclient.SolveStatus {
	return p.source(func(*bkclient.SolveStatus) {}, nil)
}

// source is Source with record called on every status, and drained (if
// not nil) closed once the channel is closed and everything on it passed.
func (p *Progress) source(record func(*bkclient.SolveStatus), drained chan struct{}) chan *bkclient.SolveStatus {
	src := make(chan *bkclient.SolveStatus)
	p.open.Add(1)
	go func() {
		defer p.open.Done()
		for st := range src {
			record(st)
			p.merged <- st
		}
		if drained != nil {
			close(drained)
		}
	}()
	return src
}

// Close waits until every source is closed and everything was shown, and
// returns the display's error.
func (p *Progress) Close() error {
	p.closing.Do(p.open.Done)
	return <-p.done
}

// display is the sources of n concurrent builds on a Progress. Each build's
// step output is also kept, so a failing step can be reported with its last
// lines (see tail).
type display struct {
	sources []chan *bkclient.SolveStatus
	tails   []*tails
	drained []chan struct{}
}

// builds adds the sources of n builds to p.
func (p *Progress) builds(n int) *display {
	f := &display{}
	for range n {
		t := newTails()
		drained := make(chan struct{})
		f.sources = append(f.sources, p.source(t.record, drained))
		f.tails = append(f.tails, t)
		f.drained = append(f.drained, drained)
	}
	return f
}

// source is the channel build i writes its status to; the build closes it.
func (f *display) source(i int) chan *bkclient.SolveStatus { return f.sources[i] }

// tail returns the output build i recorded, once everything it wrote to
// its source was read.
func (f *display) tail(i int) *tails {
	<-f.drained[i]
	return f.tails[i]
}
