package rig

import (
	"net/http"
	"strings"
	"sync"
)

// BlobLog records, as a registry answered them, the blobs clients put into
// it: every upload it completed (a PUT with the blob's digest) and every
// blob it mounted from another repository (a POST with mount= it answered
// 201). Tests read it to prove what crossed the wire, whoever sent it:
// wsbuild or buildkitd.
type BlobLog struct {
	mu              sync.Mutex
	uploads, mounts []Upload
}

// Wrap records what next completes.
func (b *BlobLog) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, req)
		if rec.status != http.StatusCreated || !strings.Contains(req.URL.Path, "/blobs/uploads/") {
			return
		}
		repo, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/v2/"), "/blobs/uploads/")
		q := req.URL.Query()
		b.mu.Lock()
		defer b.mu.Unlock()
		switch {
		case req.Method == http.MethodPost && q.Get("mount") != "":
			b.mounts = append(b.mounts, Upload{Repo: repo, Digest: q.Get("mount")})
		case q.Get("digest") != "": // a PUT that ends an upload, or a one-request POST
			b.uploads = append(b.uploads, Upload{Repo: repo, Digest: q.Get("digest")})
		}
	})
}

// Take returns the uploads and the mounts recorded since the last Take, in
// the order the registry completed them.
func (b *BlobLog) Take() (uploads, mounts []Upload) {
	b.mu.Lock()
	defer b.mu.Unlock()
	uploads, mounts = b.uploads, b.mounts
	b.uploads, b.mounts = nil, nil
	return uploads, mounts
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath (flushes).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
