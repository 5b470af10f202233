package solve

import (
	"testing"
	"time"

	bkclient "github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

// TestDedupe feeds the statuses two builds receive for a step they share,
// interleaved, and checks the display is given each state, log chunk and
// warning once, and the builds' own steps in full.
func TestDedupe(t *testing.T) {
	shared, own := digest.FromString("shared"), digest.FromString("own")
	t0 := time.Unix(1700000000, 0)
	t1 := t0.Add(time.Second)
	started := &bkclient.Vertex{Digest: shared, Name: "[p] step", Started: &t0}
	done := &bkclient.Vertex{Digest: shared, Name: "[p] step", Started: &t0, Completed: &t1}
	log1 := &bkclient.VertexLog{Vertex: shared, Stream: 1, Data: []byte("line 1\n"), Timestamp: t0}
	log2 := &bkclient.VertexLog{Vertex: shared, Stream: 1, Data: []byte("line 2\n"), Timestamp: t1}
	warn := &bkclient.VertexWarning{Vertex: shared, Short: []byte("careful")}
	// The same line again, later: a second chunk that happens to match.
	again := &bkclient.VertexLog{Vertex: shared, Stream: 1, Data: []byte("line 1\n"), Timestamp: t1}
	ownLog := &bkclient.VertexLog{Vertex: own, Stream: 1, Data: []byte("line 1\n"), Timestamp: t0}
	copyOf := func(l *bkclient.VertexLog) *bkclient.VertexLog { c := *l; return &c }
	in := []*bkclient.SolveStatus{
		{Vertexes: []*bkclient.Vertex{started}, Logs: []*bkclient.VertexLog{log1}},
		// The second build joins: it is told the earlier state and output.
		{Vertexes: []*bkclient.Vertex{{Digest: shared, Name: "[p] step", Started: &t0}}, Logs: []*bkclient.VertexLog{copyOf(log1)}},
		{Logs: []*bkclient.VertexLog{log2, again}, Warnings: []*bkclient.VertexWarning{warn}},
		{Logs: []*bkclient.VertexLog{copyOf(log2), copyOf(again), ownLog}, Warnings: []*bkclient.VertexWarning{{Vertex: shared, Short: []byte("careful")}}},
		{Vertexes: []*bkclient.Vertex{done}},
		{Vertexes: []*bkclient.Vertex{{Digest: shared, Name: "[p] step", Started: &t0, Completed: &t1}}},
	}
	src := make(chan *bkclient.SolveStatus)
	out := make(chan *bkclient.SolveStatus)
	go func() {
		for _, st := range in {
			src <- st
		}
		close(src)
	}()
	go dedupe(src, out)
	var vertexes, logs, warnings int
	for st := range out {
		vertexes += len(st.Vertexes)
		logs += len(st.Logs)
		warnings += len(st.Warnings)
	}
	if vertexes != 2 || logs != 4 || warnings != 1 {
		t.Errorf("shown %d vertex states, %d log chunks, %d warnings; want 2, 4 (3 shared, 1 own), 1", vertexes, logs, warnings)
	}
}

// TestTailLines keeps a step's output and returns its last lines, a
// progress bar's redrawn line as last drawn, by digest or by name.
func TestTailLines(t *testing.T) {
	d, other := digest.FromString("step"), digest.FromString("other")
	tl := newTails()
	tl.record(&bkclient.SolveStatus{
		Vertexes: []*bkclient.Vertex{{Digest: other, Name: "[x] step: s"}},
		Logs: []*bkclient.VertexLog{
			{Vertex: d, Data: []byte("a\nb")},
			{Vertex: d, Data: []byte("c\n\n50%\r100%\n")},
			{Vertex: other, Data: []byte("from other\n")},
		},
	})
	for i := range 20 {
		tl.record(&bkclient.SolveStatus{Logs: []*bkclient.VertexLog{{Vertex: other, Data: []byte{byte('a' + i), '\n'}}}})
	}
	if got := tl.lines(d, ""); len(got) != 3 || got[0] != "a" || got[1] != "bc" || got[2] != "100%" {
		t.Errorf("lines = %q, want a, bc, 100%%", got)
	}
	got := tl.lines(digest.FromString("unknown"), "[x] step: s")
	if len(got) != tailLines || got[tailLines-1] != "t" {
		t.Errorf("lines by name = %q, want the last %d", got, tailLines)
	}
}
