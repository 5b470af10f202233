package resolve

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/pelletier/go-toml/v2"
)

// Config is what a buildkitd.toml says about registries, keyed by host as in
// its [registry."HOST"] tables (Docker Hub is "docker.io").
type Config map[string]Host

// Host is one [registry."HOST"] table of a buildkitd.toml.
type Host struct {
	// Mirrors are tried in order before the host itself: "host[:port]",
	// optionally followed by a path under which the mirror serves.
	Mirrors []string `toml:"mirrors"`
	// HTTP, when set, says whether the host speaks plain HTTP. Unset, only
	// localhost and loopback addresses do.
	HTTP *bool `toml:"http"`
	// Insecure skips TLS verification; with HTTP it also allows falling back
	// from HTTPS to plain HTTP.
	Insecure *bool `toml:"insecure"`
	// CA lists PEM files of extra certificate authorities to trust, on top
	// of the system's.
	CA []string `toml:"ca"`
}

// ParseConfig reads the registry tables of a buildkitd.toml (the format of
// buildkit v0.33's cmd/buildkitd/config); everything else in it is ignored.
func ParseConfig(data []byte) (Config, error) {
	var file struct {
		Registry Config `toml:"registry"`
	}
	if err := toml.Unmarshal(data, &file); err != nil {
		return nil, err
	}
	if file.Registry == nil {
		return Config{}, nil
	}
	return file.Registry, nil
}

// loadConfigFile reads and parses the buildkitd.toml at path.
func loadConfigFile(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading buildkitd config: %w", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("parsing buildkitd config %q: %w", path, err)
	}
	return c, nil
}

// endpoint is one place to look an image up: a registry host, the path the
// repository has there, and how to talk to it.
type endpoint struct {
	host      string // "host[:port]"
	prefix    string // path under which a mirror serves, without slashes; usually ""
	plainHTTP bool   // may use plain HTTP
	transport http.RoundTripper
}

// endpoints returns where buildkitd would look up an image of the registry
// domain, in order: each mirror of domain, then domain itself.
func (c Config) endpoints(domain string) ([]endpoint, error) {
	var out []endpoint
	for _, m := range c[domain].Mirrors {
		host, prefix := splitMirror(m)
		e, err := c.endpoint(host)
		if err != nil {
			return nil, fmt.Errorf("mirror %q of %q: %w", m, domain, err)
		}
		e.prefix = prefix
		out = append(out, e)
	}
	e, err := c.endpoint(domain)
	if err != nil {
		return nil, fmt.Errorf("registry %q: %w", domain, err)
	}
	return append(out, e), nil
}

// endpoint applies the table of host, as buildkit's resolver does: plain
// HTTP when http = true, or when http is unset and host is a loopback
// address; TLS verification off when insecure = true; extra CAs from ca.
func (c Config) endpoint(host string) (endpoint, error) {
	h := c[host]
	e := endpoint{host: host, plainHTTP: isLocalhost(host)}
	if h.HTTP != nil {
		e.plainHTTP = *h.HTTP
	}
	insecure := h.Insecure != nil && *h.Insecure
	if !insecure && len(h.CA) == 0 {
		return e, nil
	}
	tc := &tls.Config{InsecureSkipVerify: insecure} //nolint:gosec // asked for by insecure = true
	if len(h.CA) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			return e, fmt.Errorf("loading the system certificate pool: %w", err)
		}
		for _, p := range h.CA {
			pem, err := os.ReadFile(p)
			if err != nil {
				return e, fmt.Errorf("reading CA: %w", err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return e, fmt.Errorf("CA %q holds no PEM certificate", p)
			}
		}
		tc.RootCAs = pool
	}
	t := baseTransport().Clone()
	t.TLSClientConfig = tc
	e.transport = t
	return e, nil
}

// splitMirror splits a mirror entry into its host and the path under which
// it serves, as buildkit does ("mirror.example:5000/hub" gives
// "mirror.example:5000" and "hub"). A scheme is dropped.
func splitMirror(m string) (host, prefix string) {
	u, err := url.Parse(m)
	if err != nil || u.Host == "" {
		u, err = url.Parse("//" + m)
	}
	if err != nil || u.Host == "" {
		return m, ""
	}
	return u.Host, strings.Trim(path.Clean("/"+u.Path), "/")
}

// isLocalhost reports whether host (with or without a port) is localhost or
// a loopback address, which buildkit reaches over plain HTTP by default.
func isLocalhost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// baseTransport is go-containerregistry's default transport when it is a
// plain *http.Transport, else (a test or a program wrapped it) net/http's.
func baseTransport() *http.Transport {
	if t, ok := remote.DefaultTransport.(*http.Transport); ok {
		return t
	}
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t
	}
	return &http.Transport{Proxy: http.ProxyFromEnvironment}
}
