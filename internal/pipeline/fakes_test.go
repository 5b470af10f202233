package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/buildcache"
	"github.com/wsbuild/wsbuild/internal/lock"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/publish"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// baseConfig is the config every fake base resolves to.
var baseConfig = []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]}}`)

// fakeDaemon stands in for buildkitd: it resolves every base to a fixed
// digest and builds each image as a small random image carrying the input
// digest annotation, failing the images named in fail.
type fakeDaemon struct {
	fail map[string]error // image name -> the error its build returns

	mu       sync.Mutex
	opened   int
	closed   int
	resolved [][]string
	built    []string // names of the images built, in call order
	// caches is the cache the run gave the Opener, by image.
	caches map[string]buildcache.Set
}

// open is the fake's Opener.
func (d *fakeDaemon) open(_ context.Context, o Options) (Daemon, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opened++
	d.caches = o.caches
	return (*openFake)(d), nil
}

// counts returns how often the fake was opened, how many images it built
// and how often it was closed.
func (d *fakeDaemon) counts() (opened, built, closed int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.opened, len(d.built), d.closed
}

// openFake is a fakeDaemon once opened.
type openFake fakeDaemon

func (d *openFake) ResolveBases(_ context.Context, refs []string, _ ocispec.Platform) (map[string]wsllb.Base, error) {
	d.mu.Lock()
	d.resolved = append(d.resolved, refs)
	d.mu.Unlock()
	out := map[string]wsllb.Base{}
	for _, ref := range refs {
		if _, dg, ok := strings.Cut(ref, "@"); ok {
			// A pinned reference resolves to its digest.
			out[ref] = wsllb.Base{Ref: ref, Digest: digest.Digest(dg), Config: baseConfig}
			continue
		}
		dg := baseDigest(ref)
		out[ref] = wsllb.Base{Ref: "docker.io/library/" + ref + "@" + dg.String(), Digest: dg, Config: baseConfig}
	}
	return out, nil
}

func (d *openFake) Build(_ context.Context, images []*wsllb.Image) ([]Output, error) {
	out := make([]Output, len(images))
	for i, img := range images {
		d.mu.Lock()
		d.built = append(d.built, img.Node.Name)
		d.mu.Unlock()
		if err := d.fail[img.Node.Name]; err != nil {
			out[i].Err = err
			continue
		}
		r, err := random.Image(64, 1)
		if err != nil {
			return nil, err
		}
		out[i].Image = mutate.Annotations(r, img.Annotations).(v1.Image)
	}
	return out, nil
}

func (d *openFake) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed++
	return nil
}

// baseDigest is the digest the fake resolves ref, not pinned, to.
func baseDigest(ref string) digest.Digest { return digest.FromString("base " + ref) }

// fakeRegistry is an in-memory registry behind a transport that can fail or
// hold requests, and counts what was sent.
type fakeRegistry struct {
	host string
	// hook, when set, sees every request first; a non-nil response or error
	// is returned instead of the registry's.
	hook func(*http.Request) (*http.Response, error)
	puts atomic.Int32 // manifest PUTs (by digest or by tag)
}

func newRegistry(t *testing.T) *fakeRegistry {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeRegistry{host: u.Host}
}

// RoundTrip implements http.RoundTripper.
func (r *fakeRegistry) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.hook != nil {
		if resp, err := r.hook(req); resp != nil || err != nil {
			return resp, err
		}
	}
	if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/manifests/") {
		r.puts.Add(1)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// publisher is a real publish.Publisher talking to r.
func (r *fakeRegistry) publisher(t *testing.T) *publish.Publisher {
	t.Helper()
	p, err := publish.New(publish.WithTransport(r))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// has says whether ref (a tag or a digest reference) exists in r.
func (r *fakeRegistry) has(t *testing.T, ref string) bool {
	t.Helper()
	n, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	_, err = remote.Head(n, remote.WithTransport(http.DefaultTransport))
	return err == nil
}

// family writes a spec of a base image and children of it, all pushed to
// r, with a lock file pinning the base, and returns the options of a push.
func (r *fakeRegistry) family(t *testing.T, children ...string) Options {
	t.Helper()
	t.Setenv(wsllb.EnvSourceDateEpoch, "")
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("images:\n  python:\n    base: debian:bookworm\n")
	for _, c := range children {
		fmt.Fprintf(&b, "  %s:\n    from: python\n", c)
	}
	fmt.Fprintf(&b, "push:\n  - registry: %s\n    namespace: t\n    insecure: true\n", r.host)
	specFile := filepath.Join(dir, "wsbuild.yaml")
	if err := os.WriteFile(specFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dg := baseDigest("debian:bookworm")
	lf := &lock.File{Version: lock.Version, Bases: []lock.Entry{{Ref: "debian:bookworm", Platform: platforms.Format(oci.DefaultPlatform()),
		Base: oci.Base{Ref: "docker.io/library/debian:bookworm@" + dg.String(), Digest: dg}}}}
	data, err := lf.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lock.PathFor(specFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return Options{SpecFile: specFile, Push: true, CacheDir: t.TempDir(), Log: &strings.Builder{}}
}

// tag is the tag image is pushed to in r.
func (r *fakeRegistry) tag(image string) string { return r.host + "/t/" + image + ":latest" }

// runner returns a Runner on d and pub.
func runner(t *testing.T, d *fakeDaemon, pub Publisher) *Runner {
	t.Helper()
	r, err := New(WithOpener(d.open), WithPublisher(pub))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// errFailed is what a failing fake build returns.
var errFailed = errors.New("process \"/bin/sh -c false\" did not complete successfully: exit code: 1")
