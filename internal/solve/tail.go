package solve

import (
	"bytes"
	"strings"
	"sync"

	bkclient "github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

const (
	// tailBytes is how much of each step's output a build keeps.
	tailBytes = 16 << 10
	// tailLines is how many of a failed step's last lines its error quotes.
	tailLines = 10
)

// tails keeps the end of every step's output in one build's progress,
// and the steps' names.
type tails struct {
	mu    sync.Mutex
	out   map[digest.Digest][]byte
	names map[digest.Digest]string
}

func newTails() *tails {
	return &tails{out: map[digest.Digest][]byte{}, names: map[digest.Digest]string{}}
}

// record keeps the names and output in st.
func (t *tails) record(st *bkclient.SolveStatus) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, v := range st.Vertexes {
		t.names[v.Digest] = v.Name
	}
	for _, l := range st.Logs {
		b := append(t.out[l.Vertex], l.Data...)
		if len(b) > tailBytes {
			b = append([]byte(nil), b[len(b)-tailBytes:]...)
		}
		t.out[l.Vertex] = b
	}
}

// lines returns the last tailLines lines the step d wrote, or those of the
// step named name when d wrote nothing: BuildKit may report a step under
// another digest than the definition's.
func (t *tails) lines(d digest.Digest, name string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out, ok := t.out[d]
	if !ok && name != "" {
		for v, n := range t.names {
			if n == name && len(t.out[v]) > 0 {
				out = t.out[v]
			}
		}
	}
	var lines []string
	for l := range bytes.Lines(out) {
		// A progress bar redraws its line after a carriage return.
		s := string(bytes.TrimRight(l, "\r\n"))
		if i := strings.LastIndexByte(s, '\r'); i >= 0 {
			s = s[i+1:]
		}
		if strings.TrimSpace(s) != "" {
			lines = append(lines, s)
		}
	}
	return lines[max(0, len(lines)-tailLines):]
}
