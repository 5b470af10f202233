package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// uploadCounter watches the requests wsbuild sends to registries.
type uploadCounter struct {
	next    http.RoundTripper
	mu      sync.Mutex
	uploads int // blob uploads started without a mount
	mounted int // blob mounts from another repository
}

// countUploads routes go-containerregistry's default transport, which the
// CLI uses, through a counter for the rest of the test.
func countUploads(t *testing.T) *uploadCounter {
	c := &uploadCounter{next: remote.DefaultTransport}
	remote.DefaultTransport = c
	t.Cleanup(func() { remote.DefaultTransport = c.next })
	return c
}

func (c *uploadCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/blobs/uploads/") {
		c.mu.Lock()
		if req.URL.Query().Get("mount") != "" {
			c.mounted++
		} else {
			c.uploads++
		}
		c.mu.Unlock()
	}
	return c.next.RoundTrip(req)
}

func (c *uploadCounter) blobUploads() int { c.mu.Lock(); defer c.mu.Unlock(); return c.uploads }
func (c *uploadCounter) mounts() int      { c.mu.Lock(); defer c.mu.Unlock(); return c.mounted }
func (c *uploadCounter) reset()           { c.mu.Lock(); defer c.mu.Unlock(); c.uploads, c.mounted = 0, 0 }
