package publish

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
)

// collect runs push with a status channel and returns what it sent.
func collect(t *testing.T, push func(status chan<- *bkclient.SolveStatus) error) ([]*bkclient.SolveStatus, error) {
	t.Helper()
	status := make(chan *bkclient.SolveStatus)
	var got []*bkclient.SolveStatus
	collected := make(chan struct{})
	go func() {
		for s := range status {
			got = append(got, s)
		}
		close(collected)
	}()
	err := push(status)
	close(status)
	<-collected
	return got, err
}

// pushFamily pushes a parent and a child (see family) to host, in the
// namespace "progress", with WithStatus, and returns them and what it sent.
func pushFamily(t *testing.T, host string) (parent, child v1.Image, sent []*bkclient.SolveStatus, err error) {
	t.Helper()
	parent, child = family(t)
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	sent, err = collect(t, func(status chan<- *bkclient.SolveStatus) error {
		_, err := p.Push(context.Background(), items(host, "progress", parent, child), WithStatus(status))
		return err
	})
	return parent, child, sent, err
}

// pushView is what the statuses say of one vertex.
type pushView struct {
	started, completed bool
	err                string
	statuses           map[string]*bkclient.VertexStatus // last of each ID
}

func views(sent []*bkclient.SolveStatus) map[string]*pushView {
	byDigest := map[string]*pushView{}
	names := map[string]string{}
	for _, s := range sent {
		for _, v := range s.Vertexes {
			names[v.Digest.String()] = v.Name
			pv := byDigest[v.Digest.String()]
			if pv == nil {
				pv = &pushView{statuses: map[string]*bkclient.VertexStatus{}}
				byDigest[v.Digest.String()] = pv
			}
			pv.started = pv.started || v.Started != nil
			pv.completed = pv.completed || v.Completed != nil
			if v.Error != "" {
				pv.err = v.Error
			}
		}
		for _, st := range s.Statuses {
			if pv := byDigest[st.Vertex.String()]; pv != nil {
				pv.statuses[st.ID] = st
			}
		}
	}
	out := map[string]*pushView{}
	for d, pv := range byDigest {
		out[names[d]] = pv
	}
	return out
}

// TestPushReportsProgress pushes a parent and a child to an in-process
// registry with WithStatus: each push is a vertex "pushing REF" with its
// bytes, complete, and a status per layer; BuildKit's plain display shows
// them.
func TestPushReportsProgress(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	parent, child, sent, err := pushFamily(t, host)
	if err != nil {
		t.Fatal(err)
	}
	got := views(sent)
	for _, tc := range []struct {
		ref    string
		img    v1.Image
		layers []string // how each layer got there
	}{
		{host + "/progress/base:1", parent, []string{"uploaded", "uploaded"}},
		// The in-process registry keeps blobs across repositories, so the
		// parent's are there already (a real registry mounts them).
		{host + "/progress/child:1", child, []string{"already there", "already there", "uploaded"}},
	} {
		pv := got["pushing "+tc.ref]
		if pv == nil {
			t.Fatalf("no vertex %q in %v", "pushing "+tc.ref, got)
		}
		if !pv.started || !pv.completed || pv.err != "" {
			t.Errorf("%s: started %v completed %v error %q", tc.ref, pv.started, pv.completed, pv.err)
		}
		layers, err := tc.img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		var layerBytes int64
		for i, l := range layers {
			d, _ := l.Digest()
			size, _ := l.Size()
			layerBytes += size
			id := fmt.Sprintf("layer %d/%d %s %s", i+1, len(layers), shortDigest(d), tc.layers[i])
			if st := pv.statuses[id]; st == nil || st.Current != size || st.Total != size || st.Completed == nil {
				t.Errorf("%s: status %q is %+v, want %d bytes of %d, completed", tc.ref, id, st, size, size)
			}
		}
		total := pv.statuses[fmt.Sprintf("%d layers, config and manifest", len(layers))]
		if total == nil || total.Completed == nil || total.Current != total.Total || total.Total < layerBytes {
			t.Errorf("%s: bytes status %+v, want complete, at least the layers' %d bytes", tc.ref, total, layerBytes)
		}
		if len(pv.statuses) != len(layers)+1 {
			t.Errorf("%s: statuses %v, want one per layer and the bytes", tc.ref, pv.statuses)
		}
	}

	var out bytes.Buffer
	d, err := progressui.NewDisplay(&out, progressui.PlainMode)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *bkclient.SolveStatus, len(sent))
	for _, s := range sent {
		ch <- s
	}
	close(ch)
	if _, err := d.UpdateFrom(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pushing " + host + "/progress/child:1", "3 layers, config and manifest", "uploaded", "DONE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plain progress lacks %q:\n%s", want, out.String())
		}
	}
}

// TestPushProgressFailure: a push that fails ends its vertex with the error.
func TestPushProgressFailure(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	_, _, sent, err := pushFamily(t, host)
	if err == nil {
		t.Fatal("pushing to a closed registry succeeded")
	}
	pv := views(sent)["pushing "+host+"/progress/base:1"]
	if pv == nil || !pv.completed || pv.err == "" {
		t.Errorf("vertex %+v, want completed with the error", pv)
	}
}
