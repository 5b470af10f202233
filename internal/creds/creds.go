// Package creds finds the registry credentials of a run, in one order for
// every path that talks to a registry (go-containerregistry's pushes and
// lookups, and buildkitd's base-image pulls through the session):
//
//  1. what CI gives on the command line (--registry-user, with the password
//     on stdin or in a named environment variable), for the registries the
//     run pushes to;
//  2. the Docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json,
//     and $DOCKER_AUTH_CONFIG), with its credential helpers;
//  3. podman's auth file ($REGISTRY_AUTH_FILE, then containers/auth.json
//     under $XDG_RUNTIME_DIR and $XDG_CONFIG_HOME);
//  4. anonymous.
//
// Every credential carries where it came from, so an error can say which
// credentials a registry refused without printing them.
package creds

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
)

// Credential is what a registry is sent, and where it came from.
type Credential struct {
	// Auth is the user and secret; zero for anonymous.
	Auth types.AuthConfig
	// Origin says where Auth came from, without its secret: "--registry-user
	// (password from $CI_TOKEN)", a config file's path, a credential
	// helper's name, or "anonymous".
	Origin string
}

// Anonymous reports whether c sends no credentials.
func (c Credential) Anonymous() bool {
	a := c.Auth
	return a.Username == "" && a.Password == "" && a.Auth == "" && a.IdentityToken == "" && a.RegistryToken == ""
}

// String describes c without its secret: the user and the origin.
func (c Credential) String() string {
	switch {
	case c.Anonymous():
		return "anonymous (no credentials for this registry)"
	case c.Auth.Username != "":
		return fmt.Sprintf("user %q from %s", c.Auth.Username, c.Origin)
	default:
		return "a token from " + c.Origin
	}
}

// CI is the credential CI gives on the command line.
type CI struct {
	// User is --registry-user; "" means none.
	User string
	// Password is the user's password or token.
	Password string
	// From says where Password was read: "stdin" or "$NAME".
	From string
}

// Store looks credentials up by registry host (host[:port]).
type Store struct {
	ci      CI
	ciHosts []string
	files   []string // config files in the order they are read

	mu     sync.Mutex
	loaded map[string]*configfile.ConfigFile
	found  map[string]Credential // by host: a helper runs once per host and run
}

// New returns a Store that gives ci's credential to ciHosts (the
// registries the run pushes to: a CI token is not sent to the registries
// of public bases) and reads the usual config files for every host.
func New(ci CI, ciHosts []string) *Store {
	return &Store{ci: ci, ciHosts: ciHosts, files: configFiles(), loaded: map[string]*configfile.ConfigFile{}, found: map[string]Credential{}}
}

// configFiles lists the Docker config and podman's auth files, in order.
func configFiles() []string {
	dockerDir := os.Getenv("DOCKER_CONFIG")
	if dockerDir == "" {
		dockerDir = config.Dir()
	}
	files := []string{filepath.Join(dockerDir, config.ConfigFileName)}
	if f := os.Getenv("REGISTRY_AUTH_FILE"); f != "" {
		files = append(files, f)
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		files = append(files, filepath.Join(d, "containers", "auth.json"))
	}
	cfgDir := os.Getenv("XDG_CONFIG_HOME")
	if home, err := os.UserHomeDir(); cfgDir == "" && err == nil {
		cfgDir = filepath.Join(home, ".config")
	}
	if cfgDir != "" {
		files = append(files, filepath.Join(cfgDir, "containers", "auth.json"))
	}
	return files
}

// Lookup returns the credential for host, anonymous when none is found. An
// error means a config file or credential helper could not be read. What
// it found for a host is kept for the Store's life, so a credential helper
// runs once per host however many requests a run makes.
func (s *Store) Lookup(host string) (Credential, error) {
	if s.ci.User != "" && slices.Contains(s.ciHosts, host) {
		return Credential{
			Auth:   types.AuthConfig{Username: s.ci.User, Password: s.ci.Password, ServerAddress: host},
			Origin: fmt.Sprintf("--registry-user (password from %s)", s.ci.From),
		}, nil
	}
	s.mu.Lock()
	c, ok := s.found[host]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := s.lookup(host)
	if err != nil {
		return Credential{}, err
	}
	s.mu.Lock()
	s.found[host] = c
	s.mu.Unlock()
	return c, nil
}

// lookup reads host's credential from the config files, in order.
func (s *Store) lookup(host string) (Credential, error) {
	for i, name := range s.files {
		cf, err := s.load(name)
		if err != nil {
			return Credential{}, err
		}
		if cf == nil && i > 0 {
			continue
		}
		if cf == nil { // no Docker config: $DOCKER_AUTH_CONFIG may still hold some
			cf = configfile.New(name)
		}
		auth, err := cf.GetAuthConfig(host)
		if err != nil {
			return Credential{}, fmt.Errorf("reading the credentials for %s from %s: %w", host, origin(cf, name, host, i == 0), err)
		}
		auth.ServerAddress = ""
		c := Credential{Auth: auth, Origin: origin(cf, name, host, i == 0)}
		if !c.Anonymous() {
			return c, nil
		}
	}
	return Credential{Origin: "anonymous"}, nil
}

// origin names where cf's credential for host comes from.
func origin(cf *configfile.ConfigFile, name, host string, docker bool) string {
	if docker && inAuthEnv(host) {
		return "$DOCKER_AUTH_CONFIG"
	}
	helper := cf.CredentialsStore
	if h, ok := cf.CredentialHelpers[host]; ok {
		helper = h
	}
	if helper != "" {
		return fmt.Sprintf("credential helper docker-credential-%s (named by %s)", helper, name)
	}
	return name
}

// inAuthEnv reports whether $DOCKER_AUTH_CONFIG, which the Docker config's
// reader prefers to the file, has an entry for host.
func inAuthEnv(host string) bool {
	var env struct {
		Auths map[string]json.RawMessage `json:"auths"`
	}
	if json.Unmarshal([]byte(os.Getenv("DOCKER_AUTH_CONFIG")), &env) != nil {
		return false
	}
	_, ok := env.Auths[host]
	return ok
}

// load reads the config file name once; nil when it does not exist.
func (s *Store) load(name string) (*configfile.ConfigFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cf, ok := s.loaded[name]; ok {
		return cf, nil
	}
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		s.loaded[name] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading registry credentials: %w", err)
	}
	defer f.Close()
	cf := configfile.New(name)
	if err := cf.LoadFromReader(f); err != nil {
		return nil, fmt.Errorf("reading registry credentials from %s: %w", name, err)
	}
	s.loaded[name] = cf
	return cf, nil
}

// Keychain is s as go-containerregistry asks for credentials.
func (s *Store) Keychain() authn.Keychain { return keychain{s} }

type keychain struct{ s *Store }

// Resolve gives go-containerregistry the credential for r's registry.
func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	c, err := k.s.Lookup(r.RegistryStr())
	if err != nil || c.Anonymous() {
		return authn.Anonymous, err
	}
	a := c.Auth
	return authn.FromConfig(authn.AuthConfig{Username: a.Username, Password: a.Password, Auth: a.Auth,
		IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken}), nil
}

// Describe says which credential s gives host, without its secret.
func (k keychain) Describe(host string) string {
	c, err := k.s.Lookup(host)
	if err != nil {
		return "none: " + err.Error()
	}
	return c.String()
}
