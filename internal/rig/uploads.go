package rig

import (
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// UploadCounter is an http.RoundTripper that counts the blob upload sessions
// a client asks registries to open and does not cancel, telling plain
// uploads from mounts out of another repository. Tests use it to prove a blob is not sent twice.
type UploadCounter struct {
	// Next carries the requests; nil means remote.DefaultTransport as it was
	// when the request was made.
	Next http.RoundTripper

	mu              sync.Mutex
	uploads, mounts int
	sent            []Upload // blobs whose upload was sent, in order
}

// Upload is a blob whose content a client sent to a repository.
type Upload struct {
	// Repo is the repository, as the URL names it ("ns/image").
	Repo string
	// Digest is the blob's digest, "sha256:...".
	Digest string
}

// RoundTrip counts req if it opens a blob upload and passes it on.
func (c *UploadCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/blobs/uploads/") {
		c.mu.Lock()
		if req.URL.Query().Get("mount") != "" {
			c.mounts++
		} else {
			c.uploads++
		}
		c.mu.Unlock()
	}
	if req.Method == http.MethodDelete && strings.Contains(req.URL.Path, "/blobs/uploads/") {
		// A session opened and cancelled sent nothing (a push check).
		c.mu.Lock()
		c.uploads--
		c.mu.Unlock()
	}
	if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/blobs/uploads/") {
		if d := req.URL.Query().Get("digest"); d != "" {
			repo, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/v2/"), "/blobs/uploads/")
			c.mu.Lock()
			c.sent = append(c.sent, Upload{Repo: repo, Digest: d})
			c.mu.Unlock()
		}
	}
	next := c.Next
	if next == nil {
		next = remote.DefaultTransport
	}
	return next.RoundTrip(req)
}

// Take returns the uploads and mounts counted since the last Take.
func (c *UploadCounter) Take() (uploads, mounts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	u, m := c.uploads, c.mounts
	c.uploads, c.mounts = 0, 0
	return u, m
}

// Sent returns the digests of the blobs whose content was uploaded (not
// mounted) since the last call to Sent or SentTo, in order.
func (c *UploadCounter) Sent() []string {
	var out []string
	for _, u := range c.SentTo() {
		out = append(out, u.Digest)
	}
	return out
}

// SentTo is Sent with the repository each blob was uploaded to.
func (c *UploadCounter) SentTo() []Upload {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.sent
	c.sent = nil
	return out
}
