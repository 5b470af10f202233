package publish

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	bkclient "github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

// PushOption configures one Push.
type PushOption func(*pushOptions)

type pushOptions struct {
	status chan<- *bkclient.SolveStatus
}

// WithStatus sends the progress of every push to status as BuildKit's
// SolveStatus values, for BuildKit's progress display: a vertex "pushing
// REF" per image and ref, with a status "N layers, config and manifest"
// counting the bytes in the registry out of those to send
// (go-containerregistry's progress: blobs the registry had or mounted count
// as sent) and a status per layer once it is there, saying whether it was
// uploaded, mounted or already there. Push
// does not close status. Default: no progress.
func WithStatus(status chan<- *bkclient.SolveStatus) PushOption {
	return func(o *pushOptions) { o.status = status }
}

// statusInterval is the least time between two byte counts of one push.
const statusInterval = 100 * time.Millisecond

// pushProgress reports one push of an image to one ref on a status channel.
type pushProgress struct {
	out     chan<- *bkclient.SolveStatus
	vertex  *bkclient.Vertex
	started time.Time
	layers  map[v1.Hash]int // layer digest -> 1-based index
	total   string          // the byte status's ID, "N layers, config and manifest"

	mu   sync.Mutex       // guards done: the transport reports concurrently
	done map[v1.Hash]bool // layers reported
}

// newPushProgress starts the vertex of pushing img, whose layers are
// layers, to tag; nil when out is nil.
func newPushProgress(out chan<- *bkclient.SolveStatus, tag name.Tag, layers []v1.Hash) *pushProgress {
	if out == nil {
		return nil
	}
	now := time.Now()
	p := &pushProgress{out: out, started: now, layers: map[v1.Hash]int{}, done: map[v1.Hash]bool{},
		vertex: &bkclient.Vertex{Digest: digest.FromString("wsbuild push " + tag.String()), Name: "pushing " + tag.String(), Started: &now}}
	for i, l := range layers {
		if _, ok := p.layers[l]; !ok {
			p.layers[l] = i + 1
		}
	}
	p.total = fmt.Sprintf("%d layers, config and manifest", len(layers))
	if len(layers) == 1 {
		p.total = "1 layer, config and manifest"
	}
	v := *p.vertex
	out <- &bkclient.SolveStatus{Vertexes: []*bkclient.Vertex{&v}}
	return p
}

// follow reports updates, go-containerregistry's byte counts, at most one
// per statusInterval, until updates is closed or stop is, and then the last
// as complete.
func (p *pushProgress) follow(updates <-chan v1.Update, stop <-chan struct{}) {
	var last v1.Update
	var reported time.Time
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				p.complete(last)
				return
			}
			if u.Error != nil {
				continue
			}
			last = u
			if time.Since(reported) >= statusInterval {
				p.bytes(u, nil)
				reported = time.Now()
			}
		case <-stop:
			p.complete(last)
			return
		}
	}
}

// complete reports u as the last byte count.
func (p *pushProgress) complete(u v1.Update) {
	now := time.Now()
	p.bytes(u, &now)
}

// bytes reports u, completed at completed when not nil.
func (p *pushProgress) bytes(u v1.Update, completed *time.Time) {
	p.send(&bkclient.VertexStatus{ID: p.total, Current: u.Complete, Total: u.Total, Completed: completed})
}

// blob reports the layer d as in the registry, how saying by what means.
func (p *pushProgress) blob(d v1.Hash, how string, size int64) {
	i, ok := p.layers[d]
	if !ok {
		return // the config
	}
	p.mu.Lock()
	seen := p.done[d]
	p.done[d] = true
	p.mu.Unlock()
	if seen {
		return
	}
	now := time.Now()
	id := fmt.Sprintf("layer %d/%d %s %s", i, len(p.layers), shortDigest(d), how)
	p.send(&bkclient.VertexStatus{ID: id, Current: size, Total: size, Completed: &now})
}

func (p *pushProgress) send(s *bkclient.VertexStatus) {
	s.Vertex, s.Timestamp, s.Started = p.vertex.Digest, time.Now(), &p.started
	p.out <- &bkclient.SolveStatus{Statuses: []*bkclient.VertexStatus{s}}
}

// finish completes the vertex, with err's message when the push failed.
func (p *pushProgress) finish(err error) {
	if p == nil {
		return
	}
	now := time.Now()
	v := *p.vertex
	v.Completed = &now
	if err != nil {
		v.Error = err.Error()
	}
	p.out <- &bkclient.SolveStatus{Vertexes: []*bkclient.Vertex{&v}}
}

// shortDigest is d's algorithm and the first 12 hex digits, as BuildKit
// shows digests.
func shortDigest(d v1.Hash) string {
	hex := d.Hex
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return d.Algorithm + ":" + hex
}

// blobWatch is a transport that tells p of every blob a registry confirms
// having, from the distribution API's answers: a HEAD of the blob (already
// there), a cross-repository mount (mounted) or the end of an upload
// (uploaded).
type blobWatch struct {
	next  http.RoundTripper
	p     *pushProgress
	sizes map[v1.Hash]int64
}

// RoundTrip sends req with the next transport and reads its answer.
func (w *blobWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	var how, ref string
	q := req.URL.Query()
	switch {
	case req.Method == http.MethodHead && resp.StatusCode == http.StatusOK && strings.Contains(req.URL.Path, "/blobs/"):
		how, ref = "already there", path.Base(req.URL.Path)
	case req.Method == http.MethodPost && resp.StatusCode == http.StatusCreated && q.Get("mount") != "":
		how, ref = "mounted", q.Get("mount")
	case req.Method == http.MethodPut && resp.StatusCode == http.StatusCreated && q.Get("digest") != "":
		how, ref = "uploaded", q.Get("digest")
	default:
		return resp, nil
	}
	if d, err := v1.NewHash(ref); err == nil {
		w.p.blob(d, how, w.sizes[d])
	}
	return resp, nil
}

// write pushes img, whose layers are layers, to ref (tag's repository, by
// digest), reporting its progress on status when status is not nil.
func (p *Publisher) write(ctx context.Context, ref name.Digest, tag name.Tag, img v1.Image, layers []v1.Hash, status chan<- *bkclient.SolveStatus) error {
	opts := p.remoteOptions(ctx)
	prog := newPushProgress(status, tag, layers)
	if prog == nil {
		return remote.Write(ref, img, opts...)
	}
	sizes, err := layerSizes(img)
	if err != nil {
		prog.finish(err)
		return err
	}
	updates, stop, followed := make(chan v1.Update), make(chan struct{}), make(chan struct{})
	go func() { prog.follow(updates, stop); close(followed) }()
	opts = append(opts, remote.WithProgress(updates),
		remote.WithTransport(&blobWatch{next: p.opts.transport, p: prog, sizes: sizes}))
	err = remote.Write(ref, img, opts...)
	// go-containerregistry sent every update before Write returned; stop
	// covers a Write that failed before it took the channel.
	close(stop)
	<-followed
	prog.finish(err)
	return err
}

// layerSizes maps each layer of img to its size.
func layerSizes(img v1.Image) (map[v1.Hash]int64, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	out := map[v1.Hash]int64{}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, fmt.Errorf("layer digest: %w", err)
		}
		if out[d], err = l.Size(); err != nil {
			return nil, fmt.Errorf("layer size: %w", err)
		}
	}
	return out, nil
}
