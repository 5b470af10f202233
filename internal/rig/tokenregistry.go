package rig

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// TokenRegistry is a real registry (distribution, as the rig's) with token
// authentication: every request needs a token from its Issuer, which
// grants namespaces as a namespaced registry does (see TokenIssuer). The
// issuer is served at /token of the registry's own address, in front of
// the registry process, as a reverse proxy serves both on one host: clients
// (go-containerregistry among them) refuse a token realm on another
// loopback address.
type TokenRegistry struct {
	// Registry is the address clients use, "127.0.0.1:PORT".
	Registry string
	// Issuer is its token server.
	Issuer *TokenIssuer
	// Blobs records the blobs clients put into it.
	Blobs *BlobLog
	f     *fronted
}

// StartTokenRegistry starts a registry in dir whose tokens come from a new
// TokenIssuer for users (name -> password). Close stops both.
func StartTokenRegistry(ctx context.Context, dir string, users map[string]string) (*TokenRegistry, error) {
	issuer, err := NewTokenIssuer(users)
	if err != nil {
		return nil, fmt.Errorf("making the token issuer: %w", err)
	}
	cert := filepath.Join(dir, "token-issuer.crt")
	if err := os.WriteFile(cert, issuer.CertPEM(), 0o644); err != nil {
		return nil, err
	}
	auth := func(front string) string {
		return fmt.Sprintf(`auth:
  token:
    realm: %s
    service: %s
    issuer: %s
    rootcertbundle: %s
`, strconv.Quote("http://"+front+"/token"), tokenService, tokenIssuer, strconv.Quote(cert))
	}
	f, err := startFronted(ctx, dir, auth, issuer)
	if err != nil {
		return nil, err
	}
	return &TokenRegistry{Registry: f.addr, Issuer: issuer, Blobs: f.blobs, f: f}, nil
}

// Close stops the registry and its issuer.
func (t *TokenRegistry) Close() error { return t.f.close() }

// Registry is a registry process of a test's own, with no authentication,
// behind a front that records the blobs clients put into it: the rig's
// registry serves every test, so what one test sends there is not its own
// to count.
type Registry struct {
	// Addr is the address clients use, "127.0.0.1:PORT" (plain HTTP).
	Addr string
	// Blobs records the blobs clients put into it.
	Blobs *BlobLog
	f     *fronted
}

// StartRegistry starts a Registry storing under dir. Close stops it.
func StartRegistry(ctx context.Context, dir string) (*Registry, error) {
	f, err := startFronted(ctx, dir, func(string) string { return "" }, nil)
	if err != nil {
		return nil, err
	}
	return &Registry{Addr: f.addr, Blobs: f.blobs, f: f}, nil
}

// Close stops the registry.
func (r *Registry) Close() error { return r.f.close() }

// fronted is a registry process on a loopback port of its own and the
// server clients reach it through, which records blobs and may serve a
// token issuer at /token.
type fronted struct {
	addr  string
	blobs *BlobLog
	reg   *registry
	front *http.Server
}

// startFronted starts a registry in dir, its auth: section auth(front
// address), behind a front that serves token (when not nil) at /token.
func startFronted(ctx context.Context, dir string, auth func(front string) string, token http.Handler) (_ *fronted, err error) {
	pre, err := findPrereqs(CacheDir())
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = l.Close()
		}
	}()
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	backend := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	reg, err := startRegistry(pre.registryBin, dir, backend, auth(l.Addr().String()), false)
	if err != nil {
		return nil, err
	}
	if err := reg.waitReady(ctx); err != nil {
		return nil, errors.Join(err, reg.stop())
	}
	mux := http.NewServeMux()
	if token != nil {
		mux.Handle("/token", token)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	proxy.ErrorLog = log.New(io.Discard, "", 0) // a client hanging up is not news
	blobs := &BlobLog{}
	mux.Handle("/", blobs.Wrap(proxy))
	front := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = front.Serve(l) }()
	return &fronted{addr: l.Addr().String(), blobs: blobs, reg: reg, front: front}, nil
}

func (f *fronted) close() error { return errors.Join(f.front.Close(), f.reg.stop()) }
