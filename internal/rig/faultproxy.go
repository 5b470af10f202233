package rig

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what a FaultProxy does to a request a FaultRule matches.
type Fault int

// The faults a FaultProxy injects.
const (
	// FaultDrop closes the client's connection without an answer.
	FaultDrop Fault = iota
	// Fault500 answers 500 Internal Server Error.
	Fault500
	// Fault503 answers 503 Service Unavailable.
	Fault503
	// FaultStall holds the request for the rule's Stall, then forwards it.
	FaultStall
)

// String names the fault: drop, 500, 503 or stall.
func (f Fault) String() string {
	return [...]string{"drop", "500", "503", "stall"}[f]
}

// FaultRule picks requests to a FaultProxy and says what to do to them.
type FaultRule struct {
	// Method matches the request's method; "" matches any.
	Method string
	// Path matches requests whose path contains it; "" matches any.
	Path string
	// Nth is which matching request (1-based) gets the fault; 0 means
	// every one.
	Nth int
	// Fault is what happens to it.
	Fault Fault
	// Stall is how long FaultStall holds the request.
	Stall time.Duration
}

// String describes the rule for a test's log.
func (r FaultRule) String() string {
	n := "every"
	if r.Nth > 0 {
		n = fmt.Sprintf("request %d of", r.Nth)
	}
	return fmt.Sprintf("%s %s %s *%s*", r.Fault, n, r.Method, r.Path)
}

// FaultProxy is a registry's address for tests that break it: it forwards
// every request to the registry, but the ones its rules pick are dropped,
// answered with a 5xx, or held first.
type FaultProxy struct {
	// Addr is the proxy's address, "127.0.0.1:PORT".
	Addr string

	proxy    *httputil.ReverseProxy
	mu       sync.Mutex
	rules    []FaultRule
	seen     []int // matching requests so far, per rule
	injected int
}

// FaultProxyForTest starts a FaultProxy in front of the registry at
// target (host:port) and stops it when the test ends.
func FaultProxyForTest(t testing.TB, target string) *FaultProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting the fault proxy: %v", err)
	}
	p := &FaultProxy{Addr: l.Addr().String(), proxy: httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})}
	p.proxy.ErrorLog = log.New(io.Discard, "", 0)
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return p
}

// Schedule replaces the rules, and starts counting matching requests anew.
func (p *FaultProxy) Schedule(rules ...FaultRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.seen, p.injected = rules, make([]int, len(rules)), 0
}

// Injected is how many faults were injected since the last Schedule.
func (p *FaultProxy) Injected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.injected
}

// pick returns the rule whose fault req gets, if any.
func (p *FaultProxy) pick(req *http.Request) (FaultRule, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range p.rules {
		if (r.Method != "" && r.Method != req.Method) || !strings.Contains(req.URL.Path, r.Path) {
			continue
		}
		p.seen[i]++
		if r.Nth == 0 || r.Nth == p.seen[i] {
			p.injected++
			return r, true
		}
	}
	return FaultRule{}, false
}

// ServeHTTP injects the fault a rule picks for req, if any, and forwards
// the request to the registry otherwise (after a stall, too).
func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r, ok := p.pick(req)
	switch {
	case !ok:
	case r.Fault == FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case r.Fault == Fault500 || r.Fault == Fault503:
		status := http.StatusInternalServerError
		if r.Fault == Fault503 {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"errors":[{"code":"UNKNOWN","message":"injected by the test: %s"}]}`, r)
		return
	case r.Fault == FaultStall:
		select {
		case <-time.After(r.Stall):
		case <-req.Context().Done():
			return
		}
	}
	p.proxy.ServeHTTP(w, req)
}
