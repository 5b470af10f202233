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
	reg    *registry
	front  *http.Server
}

// StartTokenRegistry starts a registry in dir whose tokens come from a new
// TokenIssuer for users (name -> password). Close stops both.
func StartTokenRegistry(ctx context.Context, dir string, users map[string]string) (_ *TokenRegistry, err error) {
	pre, err := findPrereqs(CacheDir())
	if err != nil {
		return nil, err
	}
	issuer, err := NewTokenIssuer(users)
	if err != nil {
		return nil, fmt.Errorf("making the token issuer: %w", err)
	}
	cert := filepath.Join(dir, "token-issuer.crt")
	if err := os.WriteFile(cert, issuer.CertPEM(), 0o644); err != nil {
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
	auth := fmt.Sprintf(`auth:
  token:
    realm: %s
    service: %s
    issuer: %s
    rootcertbundle: %s
`, strconv.Quote("http://"+l.Addr().String()+"/token"), tokenService, tokenIssuer, strconv.Quote(cert))
	reg, err := startRegistry(pre.registryBin, dir, backend, auth, false)
	if err != nil {
		return nil, err
	}
	if err := reg.waitReady(ctx); err != nil {
		return nil, errors.Join(err, reg.stop())
	}
	mux := http.NewServeMux()
	mux.Handle("/token", issuer)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	proxy.ErrorLog = log.New(io.Discard, "", 0) // a client hanging up is not news
	mux.Handle("/", proxy)
	front := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = front.Serve(l) }()
	return &TokenRegistry{Registry: l.Addr().String(), Issuer: issuer, reg: reg, front: front}, nil
}

// Close stops the registry and its issuer.
func (t *TokenRegistry) Close() error {
	return errors.Join(t.front.Close(), t.reg.stop())
}
