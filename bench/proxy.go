package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// countingProxy is a reverse proxy in front of the registry that counts, per
// repository, the bytes clients send in blob uploads and manifests and the
// bytes they read back as blobs, so the report can show what each push
// uploaded and prove which blobs were (not) sent.
type countingProxy struct {
	// Addr is the proxy's address, "127.0.0.1:PORT"; clients use it as the
	// registry host.
	Addr string

	srv *http.Server
	mu  sync.Mutex
	st  *traffic
	// sessions carries the bytes of upload sessions from their PATCHes to
	// the PUT that names the digest, keyed by repository and session id.
	sessions map[string]int64
}

// traffic is what the proxy saw since the last take.
type traffic struct {
	repos map[string]*repoTraffic
}

// repoTraffic is one repository's share of the traffic.
type repoTraffic struct {
	// UploadBytes are the request body bytes of blob uploads (PATCH, PUT).
	UploadBytes int64
	// Uploaded maps each blob digest completed by an upload (PUT ?digest=)
	// to the body bytes of its upload session.
	Uploaded map[string]int64
	// Mounts counts cross-repository mounts asked for (POST ?mount=).
	Mounts int
	// ManifestBytes are the bytes of manifests and indexes PUT.
	ManifestBytes int64
	// ManifestPuts counts manifest and index PUTs.
	ManifestPuts int
	// DownloadBytes are the response body bytes of blob GETs.
	DownloadBytes int64
	// ManifestReads counts manifest GETs and HEADs (resolving a tag).
	ManifestReads int
}

// startProxy starts a counting proxy to the registry at target ("host:port")
// on a free port of 127.0.0.1.
func startProxy(target string) (*countingProxy, error) {
	u, err := url.Parse("http://" + target)
	if err != nil {
		return nil, fmt.Errorf("parsing registry address %q: %w", target, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the registry proxy: %w", err)
	}
	p := &countingProxy{Addr: l.Addr().String(), st: newTraffic(), sessions: map[string]int64{}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			// Keep the client's Host: the registry builds upload
			// Locations from it, so the rest of an upload comes back
			// through the proxy too.
			r.Out.Host = r.In.Host
		},
		ModifyResponse: p.countResponse,
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p.countRequest(req)
		rp.ServeHTTP(w, req)
	})}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

// newTraffic returns empty counters.
func newTraffic() *traffic { return &traffic{repos: map[string]*repoTraffic{}} }

// Close stops the proxy.
func (p *countingProxy) Close() error {
	if err := p.srv.Shutdown(context.Background()); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stopping the registry proxy: %w", err)
	}
	return nil
}

// Take returns the traffic counted since the last Take and starts afresh.
func (p *countingProxy) Take() *traffic {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.st
	p.st = newTraffic()
	return t
}

// repo returns the counters of repository name; p.mu must be held.
func (p *countingProxy) repo(name string) *repoTraffic {
	r := p.st.repos[name]
	if r == nil {
		r = &repoTraffic{Uploaded: map[string]int64{}}
		p.st.repos[name] = r
	}
	return r
}

// splitPath splits a registry API path /v2/REPO/KIND/REST into REPO, KIND
// ("blobs" or "manifests") and REST ("uploads/UUID", a digest or a tag).
func splitPath(path string) (repo, kind, rest string, ok bool) {
	p, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return "", "", "", false
	}
	for _, k := range []string{"/blobs/", "/manifests/"} {
		if i := strings.LastIndex(p, k); i > 0 {
			return p[:i], strings.Trim(k, "/"), p[i+len(k):], true
		}
	}
	return "", "", "", false
}

// countRequest wraps the body of uploads and manifest PUTs in a counter.
func (p *countingProxy) countRequest(req *http.Request) {
	repo, kind, rest, ok := splitPath(req.URL.Path)
	if !ok {
		return
	}
	if kind == "manifests" && (req.Method == http.MethodGet || req.Method == http.MethodHead) {
		p.mu.Lock()
		p.repo(repo).ManifestReads++
		p.mu.Unlock()
	}
	if req.Body == nil {
		return
	}
	count := func(add func(r *repoTraffic, n int64)) {
		req.Body = &countingBody{ReadCloser: req.Body, add: func(n int64) {
			p.mu.Lock()
			defer p.mu.Unlock()
			add(p.repo(repo), n)
		}}
	}
	switch {
	case kind == "blobs" && req.Method == http.MethodPost && strings.HasPrefix(rest, "uploads"):
		p.mu.Lock()
		if req.URL.Query().Get("mount") != "" {
			p.repo(repo).Mounts++
		}
		p.mu.Unlock()
		// A monolithic upload in the POST itself.
		dgst := req.URL.Query().Get("digest")
		count(func(r *repoTraffic, n int64) {
			r.UploadBytes += n
			if dgst != "" {
				r.Uploaded[dgst] += n
			}
		})
	case kind == "blobs" && (req.Method == http.MethodPatch || req.Method == http.MethodPut) && strings.HasPrefix(rest, "uploads/"):
		key := repo + "\x00" + strings.TrimPrefix(rest, "uploads/")
		count(func(r *repoTraffic, n int64) {
			r.UploadBytes += n
			p.sessions[key] += n
		})
	case kind == "manifests" && req.Method == http.MethodPut:
		p.mu.Lock()
		p.repo(repo).ManifestPuts++
		p.mu.Unlock()
		count(func(r *repoTraffic, n int64) { r.ManifestBytes += n })
	}
}

// countResponse attributes a completed upload session's bytes to the
// digest its PUT named, and counts the bytes of blob bodies read back.
func (p *countingProxy) countResponse(resp *http.Response) error {
	req := resp.Request
	repo, kind, rest, ok := splitPath(req.URL.Path)
	if !ok || kind != "blobs" {
		return nil
	}
	switch {
	case req.Method == http.MethodPut && strings.HasPrefix(rest, "uploads/"):
		key := repo + "\x00" + strings.TrimPrefix(rest, "uploads/")
		dgst := req.URL.Query().Get("digest")
		p.mu.Lock()
		if resp.StatusCode/100 == 2 && dgst != "" {
			p.repo(repo).Uploaded[dgst] += p.sessions[key]
		}
		delete(p.sessions, key)
		p.mu.Unlock()
	case req.Method == http.MethodGet && resp.StatusCode == http.StatusOK:
		resp.Body = &countingBody{ReadCloser: resp.Body, add: func(n int64) {
			p.mu.Lock()
			p.repo(repo).DownloadBytes += n
			p.mu.Unlock()
		}}
	}
	return nil
}

// countingBody passes on the size of every read. (It counts as bytes go
// by: the reverse proxy does not always close request bodies.)
type countingBody struct {
	io.ReadCloser
	add func(int64)
}

func (c *countingBody) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	if n > 0 {
		c.add(int64(n))
	}
	return n, err
}

// Repos returns the repositories with traffic, sorted.
func (t *traffic) Repos() []string {
	var out []string
	for r := range t.repos {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Totals sums the traffic of the repositories under prefix.
func (t *traffic) Totals(prefix string) (sum repoTraffic) {
	for name, r := range t.repos {
		if strings.HasPrefix(name, prefix) {
			sum.UploadBytes += r.UploadBytes
			sum.ManifestBytes += r.ManifestBytes
			sum.ManifestPuts += r.ManifestPuts
			sum.DownloadBytes += r.DownloadBytes
			sum.ManifestReads += r.ManifestReads
			sum.Mounts += r.Mounts
		}
	}
	return sum
}
