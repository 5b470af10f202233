package solve

import (
	"bytes"
	"strings"
	"testing"
	"time"

	bkclient "github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

// TestProgressOneDisplay sends a build's step and a push on two sources of
// one Progress, the second after the first closed, and checks that plain
// output numbers them as one display does (#1 and #2, in the order they
// reached it) and that Close returns once both were shown.
func TestProgressOneDisplay(t *testing.T) {
	var out bytes.Buffer
	p, err := StartProgress("plain", &out)
	if err != nil {
		t.Fatal(err)
	}
	send := func(name string) {
		src := p.Source()
		now := time.Now()
		done := now.Add(time.Millisecond)
		src <- &bkclient.SolveStatus{Vertexes: []*bkclient.Vertex{{Digest: digest.FromString(name), Name: name, Started: &now, Completed: &done}}}
		close(src)
	}
	send("[python] apt-get install less")
	send("pushing reg.example/ns/python:1")
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// One display numbers both sources' vertices, #1 and #2, in whichever
	// order the two sources reached it.
	got := out.String()
	a, b := "[python] apt-get install less", "pushing reg.example/ns/python:1"
	inOrder := strings.Contains(got, "#1 "+a) && strings.Contains(got, "#2 "+b)
	swapped := strings.Contains(got, "#1 "+b) && strings.Contains(got, "#2 "+a)
	if !inOrder && !swapped {
		t.Errorf("plain output does not number %q and %q #1 and #2 in one display:\n%s", a, b, got)
	}
}
