package publish

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	_ "github.com/wsbuild/wsbuild/internal/golden"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// family returns a parent image with two layers and a child with one more.
func family(t *testing.T) (v1.Image, v1.Image) {
	t.Helper()
	parent, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	extra, err := random.Layer(1024, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	child, err := mutate.AppendLayers(parent, extra)
	if err != nil {
		t.Fatal(err)
	}
	return parent, child
}

func items(registry, ns string, parent, child v1.Image) []Item {
	return []Item{
		{Name: "base", Image: parent, Refs: []oci.Ref{{Name: registry + "/" + ns + "/base:1", Insecure: true}}},
		{Name: "child", Image: child, Parent: "base", Refs: []oci.Ref{{Name: registry + "/" + ns + "/child:1", Insecure: true}}},
	}
}

func tagged(t *testing.T, ref string) (v1.Hash, bool) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		return v1.Hash{}, false
	}
	return desc.Digest, true
}

func TestPublishMountsParentLayersAndSkipsKnownBlobs(t *testing.T) {
	r := rig.ForTest(t)
	c := &rig.UploadCounter{}
	p, err := New(WithTransport(c))
	if err != nil {
		t.Fatal(err)
	}
	parent, child := family(t)
	its := items(r.Registry, "pub", parent, child)
	pushed, err := p.Publish(context.Background(), its)
	if err != nil {
		t.Fatal(err)
	}
	uploads, mounts := c.Take()
	// parent: 2 layers + config; child: 1 new layer + config. The child's
	// two parent layers are mounted from the parent's repository.
	if uploads != 5 || mounts != 2 {
		t.Errorf("first publish: %d uploads, %d mounts; want 5 uploads and 2 mounts", uploads, mounts)
	}
	for i, it := range its {
		want, _ := it.Image.Digest()
		if got, ok := tagged(t, it.Refs[0].Name); !ok || got != want || pushed[i].Digest != want {
			t.Errorf("%s: tag points at %v (present %v), pushed %v, want %v", it.Name, got, ok, pushed[i].Digest, want)
		}
	}
	if _, err := p.Publish(context.Background(), its); err != nil {
		t.Fatal(err)
	}
	if uploads, mounts := c.Take(); uploads != 0 || mounts != 0 {
		t.Errorf("republish: %d uploads, %d mounts; want none", uploads, mounts)
	}
}

func TestFailedPushMovesNoTag(t *testing.T) {
	r := rig.ForTest(t)
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	parent, child := family(t)
	its := items(r.Registry, "fail", parent, child)
	// The second image goes to a registry that refuses connections.
	its[1].Refs = append(its[1].Refs, oci.Ref{Name: "127.0.0.1:1/fail/child:1", Insecure: true})
	its[0].Refs = append(its[0].Refs, oci.Ref{Name: r.Registry + "/fail/base:2", Insecure: true})
	_, err = p.Publish(context.Background(), its)
	if err == nil || !strings.Contains(err.Error(), `pushing to "127.0.0.1:1/fail/child@sha256:`) {
		t.Fatalf("err = %v, want the failed push named", err)
	}
	for _, ref := range []string{r.Registry + "/fail/base:1", r.Registry + "/fail/base:2", r.Registry + "/fail/child:1"} {
		if _, ok := tagged(t, ref); ok {
			t.Errorf("%s was tagged although a push of the run failed", ref)
		}
	}
}

func TestCancelledBeforeTagsMovesNoTag(t *testing.T) {
	r := rig.ForTest(t)
	parent, child := family(t)
	its := items(r.Registry, "cancel", parent, child)
	ctx, cancel := context.WithCancel(context.Background())
	// Cancel as the last blob of the run is checked: pushes are done or
	// failing, and the tag phase must not start.
	p, err := New(WithTransport(roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if strings.Contains(req.URL.Path, "/cancel/child/manifests/") && req.Method == http.MethodPut {
			defer cancel()
		}
		return remote.DefaultTransport.RoundTrip(req)
	})))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx, its); err == nil {
		t.Fatal("a cancelled publish reported success")
	}
	for _, it := range its {
		if _, ok := tagged(t, it.Refs[0].Name); ok {
			t.Errorf("%s was tagged by a cancelled run", it.Refs[0].Name)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// TestPushThenTag checks the two steps of Publish apart: Push puts every
// image in the registry by digest and moves no tag; Tag then moves them all.
func TestPushThenTag(t *testing.T) {
	r := rig.ForTest(t)
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	parent, child := family(t)
	its := items(r.Registry, "steps", parent, child)
	pushed, err := p.Push(t.Context(), its)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range its {
		if len(pushed[i].Refs) != 0 || len(pushed[i].ByDigest) != 1 {
			t.Errorf("%s after Push: refs %v, by digest %v; want no tag and one digest ref", it.Name, pushed[i].Refs, pushed[i].ByDigest)
		}
		if _, ok := tagged(t, pushed[i].ByDigest[0]); !ok {
			t.Errorf("%s is not in the registry by digest after Push", pushed[i].ByDigest[0])
		}
		if _, ok := tagged(t, it.Refs[0].Name); ok {
			t.Errorf("%s was tagged by Push", it.Refs[0].Name)
		}
	}
	tagged2, err := p.Tag(t.Context(), pushed)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range its {
		want, _ := it.Image.Digest()
		if got, ok := tagged(t, it.Refs[0].Name); !ok || got != want || len(tagged2[i].Refs) != 1 {
			t.Errorf("%s after Tag: %v (present %v), refs %v; want %v", it.Refs[0].Name, got, ok, tagged2[i].Refs, want)
		}
	}
}

// TestDoesNotImportPlan keeps the publisher apart from the planner: it
// speaks internal/oci's vocabulary only.
func TestDoesNotImportPlan(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/wsbuild/wsbuild/internal/plan" || dep == "github.com/wsbuild/wsbuild/llb" {
			t.Errorf("publish imports %s", dep)
		}
	}
}
