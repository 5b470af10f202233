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
// output numbers them as one display does (#1, then #2) and that Close
// returns once both were shown.
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
	got := out.String()
	for _, want := range []string{"#1 [python] apt-get install less", "#2 pushing reg.example/ns/python:1"} {
		if !strings.Contains(got, want) {
			t.Errorf("plain output lacks %q:\n%s", want, got)
		}
	}
}
