package solve

import (
	"fmt"
	"hash/fnv"
	"time"

	bkclient "github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

// dedupe copies statuses from in to out, closing out at the end, leaving
// out what another build already reported. BuildKit runs a step that
// several concurrent builds share once, but reports it, its output and its
// warnings to each of them; shown unfiltered, a five-image family prints its
// parent's output five times.
func dedupe(in <-chan *bkclient.SolveStatus, out chan<- *bkclient.SolveStatus) {
	defer close(out)
	var s seen
	for st := range in {
		if st = s.filter(st); st != nil {
			out <- st
		}
	}
}

// seen remembers what was shown: every state of a vertex or of a status
// (a build that joins a running step is told its earlier states too), and
// a key for every log chunk and warning.
type seen struct {
	states map[string]bool
	chunks map[logKey]bool
}

// logKey identifies a log chunk or warning: BuildKit hands every build the
// same chunk, with the same time stamp.
type logKey struct {
	vertex digest.Digest
	stream int
	nanos  int64
	size   int
	sum    uint64
}

func keyOf(v digest.Digest, stream int, nanos int64, data ...[]byte) logKey {
	h := fnv.New64a()
	size := 0
	for _, d := range data {
		h.Write(d)
		h.Write([]byte{0})
		size += len(d)
	}
	return logKey{vertex: v, stream: stream, nanos: nanos, size: size, sum: h.Sum64()}
}

// filter returns st without what was shown already, or nil when nothing
// is left.
func (s *seen) filter(st *bkclient.SolveStatus) *bkclient.SolveStatus {
	if s.states == nil {
		s.states, s.chunks = map[string]bool{}, map[logKey]bool{}
	}
	var out bkclient.SolveStatus
	for _, v := range st.Vertexes {
		if s.known(fmt.Sprintf("v %s %s %s %v %q %v", v.Digest, stamp(v.Started), stamp(v.Completed), v.Cached, v.Error, v.Inputs)) {
			continue
		}
		out.Vertexes = append(out.Vertexes, v)
	}
	for _, v := range st.Statuses {
		if s.known(fmt.Sprintf("s %s %q %q %d %d %d %s %s", v.Vertex, v.ID, v.Name, v.Current, v.Total, v.Timestamp.UnixNano(), stamp(v.Started), stamp(v.Completed))) {
			continue
		}
		out.Statuses = append(out.Statuses, v)
	}
	for _, l := range st.Logs {
		k := keyOf(l.Vertex, l.Stream, l.Timestamp.UnixNano(), l.Data)
		if s.chunks[k] {
			continue
		}
		s.chunks[k] = true
		out.Logs = append(out.Logs, l)
	}
	for _, w := range st.Warnings {
		k := keyOf(w.Vertex, -1-w.Level, 0, append([][]byte{w.Short, []byte(w.URL)}, w.Detail...)...)
		if s.chunks[k] {
			continue
		}
		s.chunks[k] = true
		out.Warnings = append(out.Warnings, w)
	}
	if len(out.Vertexes)+len(out.Statuses)+len(out.Logs)+len(out.Warnings) == 0 {
		return nil
	}
	return &out
}

// known says whether state was seen before, and remembers it.
func (s *seen) known(state string) bool {
	if s.states[state] {
		return true
	}
	s.states[state] = true
	return false
}

// stamp is t in nanoseconds, or "-" for none.
func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return fmt.Sprint(t.UnixNano())
}
