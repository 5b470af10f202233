package pipeline

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wsbuild/wsbuild/internal/publish"
)

// TestRefusedNamespaceBuildsNothing makes the registry refuse uploads to one
// image's repository, as a namespaced registry refuses a namespace the
// credentials do not own: the run fails before the daemon builds anything,
// no blob or manifest is sent, and the error is the registry's refusal
// naming the reference and the credentials.
func TestRefusedNamespaceBuildsNothing(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a", "b")
	d := &fakeDaemon{}
	r := runner(t, d, reg.publisher(t))
	var posts, writes atomic.Int32
	reg.hook = func(req *http.Request) (*http.Response, error) {
		switch req.Method {
		case http.MethodPost:
			posts.Add(1)
		case http.MethodPut, http.MethodPatch:
			writes.Add(1)
		}
		if req.Method == http.MethodPost && strings.Contains(req.URL.Path, "/t/b/") {
			body := `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`
			return &http.Response{StatusCode: http.StatusForbidden, Request: req, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(body))}, nil
		}
		return nil, nil
	}
	_, err := r.Build(t.Context(), o)
	var ae *publish.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want a *publish.AuthError", err)
	}
	for _, want := range []string{"nothing built", `pushing to "` + reg.host + `/t/b:`, "403 Forbidden", "DENIED: requested access to the resource is denied", "credentials sent:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
	if len(d.built) != 0 {
		t.Errorf("images %v were built, want none", d.built)
	}
	if n := reg.puts.Load(); n != 0 {
		t.Errorf("%d manifests pushed, want none", n)
	}
	// One upload started (and cancelled) per repository: python, a and b.
	if n := posts.Load(); n != 3 {
		t.Errorf("%d uploads started, want one per repository (3)", n)
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d PUT or PATCH requests, want none", n)
	}
}
