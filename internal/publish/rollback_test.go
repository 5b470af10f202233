package publish

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestFailedTagPutsBackTheOthers makes the registry refuse the child's tag
// after the parent's moved: the parent's tag is pointed back at the image it
// held, so no tag of the run moved; a tag that did not exist before is named
// as left behind. (An in-memory registry: this is Tag's error path.)
func TestFailedTagPutsBackTheOthers(t *testing.T) {
	var refuse bool
	reg := httptest.NewServer(registry.New(registry.Logger(nilLogger())))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")
	p, err := New(WithTransport(roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if refuse && req.Method == http.MethodPut && strings.HasSuffix(req.URL.Path, "/child/manifests/1") {
			return &http.Response{StatusCode: http.StatusBadRequest, Request: req, Header: http.Header{},
				Body: io.NopCloser(strings.NewReader(`{"errors":[{"code":"MANIFEST_INVALID","message":"refused by the test"}]}`))}, nil
		}
		return http.DefaultTransport.RoundTrip(req)
	})))
	if err != nil {
		t.Fatal(err)
	}
	oldParent, oldChild := family(t)
	if _, err := p.Publish(t.Context(), items(host, "rb", oldParent, oldChild)); err != nil {
		t.Fatal(err)
	}
	before, _ := oldParent.Digest()

	newParent, newChild := family(t)
	its := items(host, "rb", newParent, newChild)
	its[0].Refs = append(its[0].Refs, its[0].Refs[0])
	its[0].Refs[1].Name = host + "/rb/base:new" // a tag that does not exist yet
	pushed, err := p.Push(t.Context(), its)
	if err != nil {
		t.Fatal(err)
	}
	refuse = true
	_, err = p.Tag(t.Context(), pushed)
	if err == nil {
		t.Fatal("Tag succeeded although the child's tag was refused")
	}
	for _, want := range []string{`tagging "` + host + `/rb/child:1"`, "refused by the test", "1 tags moved before this one were put back",
		"1 still point at this run's images", host + "/rb/base:new"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %q", err, want)
		}
	}
	ref, _ := name.ParseReference(host+"/rb/base:1", name.Insecure)
	desc, err := remote.Head(ref)
	if err != nil || desc.Digest != before {
		t.Errorf("base:1 holds %v (%v), want the image it held before the run, %v", desc, err, before)
	}
}

func nilLogger() *log.Logger { return log.New(io.Discard, "", 0) }
