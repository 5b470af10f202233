package pipeline

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/lock"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/solve"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// TestBuildFailureOfOneImagePushesNothing fails the build of one image of
// five: the run fails naming that image, and nothing is pushed, not even
// the images that built.
func TestBuildFailureOfOneImagePushesNothing(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a", "b", "c", "d")
	d := &fakeDaemon{fail: map[string]error{"c": errFailed}}
	_, err := runner(t, d, reg.publisher(t)).Build(t.Context(), o)
	if err == nil || !errors.Is(err, errFailed) || !strings.Contains(err.Error(), `building image "c": `) {
		t.Fatalf("err = %v, want the failure of image \"c\" named", err)
	}
	for _, other := range []string{"python", "a", "b", "d"} {
		if strings.Contains(err.Error(), `"`+other+`"`) {
			t.Errorf("err %q names image %q, which built", err, other)
		}
	}
	if _, built, _ := d.counts(); built != 5 {
		t.Errorf("%d images built, want all 5 tried", built)
	}
	if n := reg.puts.Load(); n != 0 {
		t.Errorf("%d manifests pushed after a failed build, want none", n)
	}
	for _, img := range []string{"python", "a", "b", "c", "d"} {
		if reg.has(t, reg.tag(img)) {
			t.Errorf("%s was tagged by a failed run", reg.tag(img))
		}
	}
}

// TestPushFailureAfterTwoImagesMovesNoTag fails every request for the third
// of four images: the first two are in the registry by digest, the error
// names the third image and its reference, and no tag moved.
func TestPushFailureAfterTwoImagesMovesNoTag(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a", "b", "c")
	r := runner(t, &fakeDaemon{}, reg.publisher(t))
	p, err := r.Validate(o)
	if err != nil {
		t.Fatal(err)
	}
	third := p.Nodes[2].Name
	var pushing atomic.Bool
	reg.hook = func(req *http.Request) (*http.Response, error) {
		// Not POST: the check before the build (CheckPush) starts an upload.
		if req.Method != http.MethodGet && req.Method != http.MethodPost && strings.Contains(req.URL.Path, "/t/"+third+"/") {
			pushing.Store(true)
			return nil, errors.New("connection reset by peer")
		}
		return nil, nil
	}
	res, err := r.Build(t.Context(), o)
	if err == nil {
		t.Fatalf("Build succeeded (%+v), want the push of %q to fail", res, third)
	}
	if !pushing.Load() {
		t.Fatalf("the push of %q was never tried: %v", third, err)
	}
	for _, want := range []string{`image "` + third + `"`, `"` + reg.host + "/t/" + third + "@sha256:", "connection reset by peer", "no tag moved"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
	// Each image is three manifests: itself, the attestation manifest of
	// its provenance, and their index.
	if n := reg.puts.Load(); n != 6 {
		t.Errorf("%d manifests pushed, want the first two images by digest (three manifests each)", n)
	}
	for _, n := range p.Nodes {
		if reg.has(t, reg.tag(n.Name)) {
			t.Errorf("%s was tagged although a push of the run failed", reg.tag(n.Name))
		}
	}
}

// TestLookupTimeoutBuildsNothing holds every lookup of a tag until its
// deadline: the run fails with the deadline and the tag it was looking up,
// having opened no daemon, built nothing and pushed nothing.
func TestLookupTimeoutBuildsNothing(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a")
	reg.hook = func(req *http.Request) (*http.Response, error) {
		if req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/manifests/") {
			<-req.Context().Done()
			return nil, req.Context().Err()
		}
		return nil, nil
	}
	d := &fakeDaemon{}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := runner(t, d, reg.publisher(t)).Build(ctx, o)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	for _, want := range []string{"looking up what the 2 target tags hold", `looking up "` + reg.host + "/t/"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
	if opened, built, _ := d.counts(); opened != 0 || built != 0 {
		t.Errorf("daemon opened %d times, %d images built; want none", opened, built)
	}
	if n := reg.puts.Load(); n != 0 {
		t.Errorf("%d manifests pushed, want none", n)
	}
}

// cancelAfterPush is a Publisher whose Push succeeds and then cancels the
// run, as a Ctrl-C arriving between the pushes and the tags would.
type cancelAfterPush struct {
	Publisher
	cancel context.CancelFunc
	tagged int
}

func (c *cancelAfterPush) Push(ctx context.Context, items []publish.Item, opts ...publish.PushOption) ([]publish.Pushed, error) {
	pushed, err := c.Publisher.Push(ctx, items, opts...)
	c.cancel()
	return pushed, err
}

func (c *cancelAfterPush) Tag(ctx context.Context, pushed []publish.Pushed) ([]publish.Pushed, error) {
	c.tagged++
	return c.Publisher.Tag(ctx, pushed)
}

// TestCancelBetweenPushAndTagMovesNoTag cancels the run once every image is
// pushed by digest: the run fails as cancelled, and no tag moves.
func TestCancelBetweenPushAndTagMovesNoTag(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pub := &cancelAfterPush{Publisher: reg.publisher(t), cancel: cancel}
	_, err := runner(t, &fakeDaemon{}, pub).Build(ctx, o)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "before any tag moved") {
		t.Fatalf("err = %v, want the run cancelled before any tag moved", err)
	}
	if pub.tagged != 0 {
		t.Errorf("Tag called %d times after the run was cancelled", pub.tagged)
	}
	if n := reg.puts.Load(); n != 6 {
		t.Errorf("%d manifests pushed by digest, want 6 (two images, each with its attestation manifest and their index)", n)
	}
	for _, img := range []string{"python", "a"} {
		if reg.has(t, reg.tag(img)) {
			t.Errorf("%s was tagged by a cancelled run", reg.tag(img))
		}
	}
}

// TestTagRefusesCancelledContext checks the publisher's own guard: Tag on
// a cancelled context moves no tag, even when called.
func TestTagRefusesCancelledContext(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t)
	ctx, cancel := context.WithCancel(t.Context())
	pub := reg.publisher(t)
	var pushed []publish.Pushed
	spy := &spyPublisher{Publisher: pub, afterPush: func(p []publish.Pushed) { pushed = p }}
	if _, err := runner(t, &fakeDaemon{}, spy).Build(t.Context(), Options{SpecFile: o.SpecFile, CacheDir: o.CacheDir, Log: o.Log, Push: true, Force: true}); err != nil {
		t.Fatal(err)
	}
	if len(pushed) != 1 {
		t.Fatalf("pushed %d images, want 1", len(pushed))
	}
	cancel()
	if _, err := pub.Tag(ctx, pushed); !errors.Is(err, context.Canceled) {
		t.Errorf("Tag on a cancelled context: %v, want context.Canceled", err)
	}
}

// spyPublisher hands each Push's result to afterPush.
type spyPublisher struct {
	Publisher
	afterPush func([]publish.Pushed)
}

func (s *spyPublisher) Push(ctx context.Context, items []publish.Item, opts ...publish.PushOption) ([]publish.Pushed, error) {
	p, err := s.Publisher.Push(ctx, items, opts...)
	if err == nil {
		s.afterPush(p)
	}
	return p, err
}

// TestPushThenNoOpRunOpensNoDaemon pushes a family, then runs again: every
// image is skipped, and with the lock file no daemon is opened at all.
func TestPushThenNoOpRunOpensNoDaemon(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a", "b")
	d := &fakeDaemon{}
	r := runner(t, d, reg.publisher(t))
	res, err := r.Build(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Images {
		if b.Action != change.Build || !b.Pushed || len(b.Refs) != 1 || b.Refs[0] != reg.tag(b.Name) || !reg.has(t, reg.tag(b.Name)) {
			t.Errorf("%s: %+v, want it built, pushed and tagged", b.Name, b)
		}
	}
	if opened, built, _ := d.counts(); opened != 1 || built != 3 {
		t.Errorf("first run: daemon opened %d times, %d images built; want 1 and 3", opened, built)
	}
	if _, _, closed := d.counts(); closed != 1 {
		t.Errorf("daemon closed %d times, want 1", closed)
	}
	again := &fakeDaemon{}
	res2, err := runner(t, again, reg.publisher(t)).Build(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range res2.Images {
		if b.Action != change.Skip || b.Digest != res.Images[i].Digest {
			t.Errorf("second run: %s %s %s, want skip %s", b.Name, b.Action, b.Digest, res.Images[i].Digest)
		}
		first := res.Images[i]
		if first.ConfigDigest == "" || first.MediaType == "" || first.Size == 0 || b.Platform == nil ||
			b.ConfigDigest != first.ConfigDigest || b.MediaType != first.MediaType || b.Size != first.Size {
			t.Errorf("%s: built as %s %d config %s, skipped as %s %d config %s; want the same, none empty",
				b.Name, first.MediaType, first.Size, first.ConfigDigest, b.MediaType, b.Size, b.ConfigDigest)
		}
	}
	if opened, _, _ := again.counts(); opened != 0 {
		t.Errorf("a run with nothing to build opened the daemon %d times", opened)
	}
}

// TestInputErrors covers input that fails before any daemon opens, as an
// InputError (the CLI's exit code 2).
func TestInputErrors(t *testing.T) {
	reg := newRegistry(t)
	good := reg.family(t, "a")
	noPush := filepath.Join(t.TempDir(), "wsbuild.yaml")
	if err := os.WriteFile(noPush, []byte("images:\n  python:\n    base: debian:bookworm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(o *Options)
		want string
	}{
		{"bad progress", func(o *Options) { o.Progress = "fancy" }, `unknown progress mode "fancy"`},
		{"bad push-from", func(o *Options) { o.PushFrom = "registry" }, `unknown --push-from "registry" (want auto, wsbuild or daemon)`},
		{"bad epoch flag", func(o *Options) { s := "soon"; o.SourceDateEpoch = &s }, `--source-date-epoch: "soon"`},
		{"unknown image", func(o *Options) { o.Images = []string{"nope"} }, `"nope"`},
		{"push without targets", func(o *Options) { o.SpecFile = noPush }, "no push: targets"},
		{"missing lock file", func(o *Options) { o.LockFile = o.SpecFile + ".missing" }, "reading lock file"},
		{"endless lock file", func(o *Options) { o.LockFile = "/dev/zero" }, "/dev/zero is larger than 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.edit(&o)
			d := &fakeDaemon{}
			_, err := runner(t, d, reg.publisher(t)).Build(t.Context(), o)
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want an InputError containing %q", err, tc.want)
			}
			if opened, _, _ := d.counts(); opened != 0 {
				t.Errorf("daemon opened %d times on bad input", opened)
			}
		})
	}
}

// resolverOnly is a Resolver that is not a daemon.
type resolverOnly struct{ d *fakeDaemon }

func (r resolverOnly) ResolveBases(ctx context.Context, refs []string, p ocispec.Platform) (map[string]wsllb.Base, error) {
	return (*openFake)(r.d).ResolveBases(ctx, refs, p)
}

// TestPlanOpensDaemonOnlyToResolve plans with a lock file and with a
// Resolver of its own (as internal/resolve's registry resolver): neither
// opens the daemon. Without either, the daemon resolves, and is closed.
// Every way folds the base's digest into the plan.
func TestPlanOpensDaemonOnlyToResolve(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a")
	o.Push = false
	want := baseDigest("debian:bookworm")
	for _, tc := range []struct {
		name       string
		lock       bool
		resolver   bool
		wantOpened int
	}{
		{"lock file", true, false, 0},
		{"resolver", false, true, 0},
		{"daemon", false, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.lock {
				if err := os.Remove(lock.PathFor(o.SpecFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
			d, res := &fakeDaemon{}, &fakeDaemon{}
			opts := []Option{WithOpener(d.open), WithPublisher(reg.publisher(t))}
			if tc.resolver {
				opts = append(opts, WithResolver(resolverOnly{res}))
			}
			r, err := New(opts...)
			if err != nil {
				t.Fatal(err)
			}
			planned, err := r.Plan(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			if got := planned.Plan.Nodes[0].BaseDigest; got != want {
				t.Errorf("base digest %s, want %s", got, want)
			}
			if opened, _, closed := d.counts(); opened != tc.wantOpened || closed != tc.wantOpened {
				t.Errorf("daemon opened %d and closed %d times, want %d", opened, closed, tc.wantOpened)
			}
			if tc.resolver && len(res.resolved) != 1 {
				t.Errorf("resolver called %d times, want 1", len(res.resolved))
			}
		})
	}
}

// TestValidateReadsTheLock validates with the spec's lock file, with one
// that lacks a base of the spec, and with one that is not a lock file.
func TestValidateReadsTheLock(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a")
	r := runner(t, &fakeDaemon{}, reg.publisher(t))
	if _, err := r.Validate(o); err != nil {
		t.Fatalf("with the spec's lock: %v", err)
	}
	spec, err := os.ReadFile(o.SpecFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(o.SpecFile, []byte(strings.Replace(string(spec), "debian:bookworm", "ubuntu:22.04", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Validate(o); err == nil || !strings.Contains(err.Error(), `"ubuntu:22.04"`) {
		t.Errorf("a lock without the spec's base: err = %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.lock")
	if err := os.WriteFile(bad, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	o.LockFile = bad
	var ie *InputError
	if _, err := r.Validate(o); !errors.As(err, &ie) || !strings.Contains(err.Error(), "not a wsbuild lock file") {
		t.Errorf("--lock naming a bad file: err = %v", err)
	}
}

// failingResolver fails to resolve one reference, as a registry does for a
// mistyped name.
type failingResolver struct{ bad string }

func (f failingResolver) ResolveBases(_ context.Context, refs []string, _ ocispec.Platform) (map[string]wsllb.Base, error) {
	out := map[string]wsllb.Base{}
	for _, ref := range refs {
		if ref == f.bad {
			return nil, &oci.BaseError{Ref: ref, Err: errors.New("not found")}
		}
		out[ref] = wsllb.Base{Ref: ref + "@" + baseDigest(ref).String(), Digest: baseDigest(ref)}
	}
	return out, nil
}

// TestMistypedBaseNamesItsLine plans a spec whose base is mistyped: the
// error names the spec's file, line and field.
func TestMistypedBaseNamesItsLine(t *testing.T) {
	specFile := filepath.Join(t.TempDir(), "wsbuild.yaml")
	if err := os.WriteFile(specFile, []byte("images:\n  python:\n    base: debain:bookworm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := New(WithResolver(failingResolver{bad: "debain:bookworm"}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Plan(t.Context(), Options{SpecFile: specFile, CacheDir: t.TempDir(), Log: &strings.Builder{}})
	want := specFile + `:3: images.python.base: resolving base image "debain:bookworm": not found`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// TestDaemonPush checks who pushes a run's blobs for each --push-from and
// address: the daemon when asked, and by default (its layers permitting)
// but for one in a container on this host.
func TestDaemonPush(t *testing.T) {
	for _, tc := range []struct {
		from, addr, env string
		push            bool
		want            solve.DaemonPush
	}{
		{from: PushFromAuto, push: true, want: solve.PushMountable},
		{from: PushFromAuto, addr: "unix:///run/buildkit/buildkitd.sock", push: true, want: solve.PushMountable},
		{from: PushFromAuto, addr: "tcp://builder:1234", push: true, want: solve.PushMountable},
		{from: PushFromAuto, env: "ssh://me@builder", push: true, want: solve.PushMountable},
		{from: PushFromAuto, addr: "kube-pod://buildkitd-0", push: true, want: solve.PushMountable},
		{from: PushFromAuto, addr: "docker-container://buildx_buildkit_default", push: true, want: solve.PushNone},
		{from: PushFromAuto, env: "podman-container://buildkitd", push: true, want: solve.PushNone},
		{from: PushFromAuto, addr: "docker-container://b", env: "tcp://far:1234", push: true, want: solve.PushNone},
		{from: PushFromAuto, addr: "tcp://builder:1234", want: solve.PushNone},
		{from: PushFromWsbuild, addr: "tcp://builder:1234", push: true, want: solve.PushNone},
		{from: PushFromWsbuild, push: true, want: solve.PushNone},
		{from: PushFromDaemon, addr: "docker-container://b", push: true, want: solve.PushEvery},
		{from: PushFromDaemon, want: solve.PushNone},
	} {
		t.Setenv("BUILDKIT_HOST", tc.env)
		o := Options{PushFrom: tc.from, Addr: tc.addr, Push: tc.push}
		if got := o.daemonPush(); got != tc.want {
			t.Errorf("--push-from %s, addr %q, $BUILDKIT_HOST %q, push %v: daemon pushes %v, want %v", tc.from, tc.addr, tc.env, tc.push, got, tc.want)
		}
	}
}
