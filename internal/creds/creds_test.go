package creds

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// home points every place the Store reads at an empty temporary home and
// returns it.
func home(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("DOCKER_CONFIG", filepath.Join(dir, ".docker"))
	t.Setenv("DOCKER_AUTH_CONFIG", "")
	t.Setenv("REGISTRY_AUTH_FILE", "")
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(dir, "run"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, ".config"))
	return dir
}

func writeAuth(t *testing.T, path, host, user, password string) {
	t.Helper()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	body := `{"auths": {"` + host + `": {"auth": "` + auth + `"}}}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestOrder proves the order of the package comment: CI's credential for
// the registries pushed to, then the Docker config, then podman's auth
// file, then anonymous; and that CI's credential is not sent elsewhere.
func TestOrder(t *testing.T) {
	dir := home(t)
	dockerFile := filepath.Join(dir, ".docker", "config.json")
	podmanFile := filepath.Join(dir, "run", "containers", "auth.json")
	writeAuth(t, dockerFile, "docker.example", "dock", "d-secret")
	writeAuth(t, podmanFile, "podman.example", "pod", "p-secret")
	s := New(CI{User: "ci", Password: "c-secret", From: "$CI_TOKEN"}, []string{"push.example", "docker.example"})

	for _, tc := range []struct{ host, user, origin string }{
		{"push.example", "ci", "--registry-user (password from $CI_TOKEN)"},
		{"docker.example", "ci", "--registry-user (password from $CI_TOKEN)"},
		{"podman.example", "pod", podmanFile},
		{"public.example", "", "anonymous"},
	} {
		c, err := s.Lookup(tc.host)
		if err != nil {
			t.Fatal(err)
		}
		if c.Auth.Username != tc.user || c.Origin != tc.origin {
			t.Errorf("%s: got user %q from %q, want %q from %q", tc.host, c.Auth.Username, c.Origin, tc.user, tc.origin)
		}
		if strings.Contains(c.String(), "secret") {
			t.Errorf("%s: String() shows the secret: %s", tc.host, c)
		}
	}

	// Without CI's credential, the Docker config's comes first.
	c, err := New(CI{}, nil).Lookup("docker.example")
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth.Username != "dock" || c.Auth.Password != "d-secret" || c.Origin != dockerFile {
		t.Errorf("docker.example without CI: got %q from %q", c.Auth.Username, c.Origin)
	}
}

// TestPodmanWhenDockerConfigHasNone proves that a Docker config without an
// entry for a host does not hide podman's (go-containerregistry's default
// keychain reads podman's file only when there is no Docker config).
func TestPodmanWhenDockerConfigHasNone(t *testing.T) {
	dir := home(t)
	writeAuth(t, filepath.Join(dir, ".docker", "config.json"), "other.example", "x", "y")
	authFile := filepath.Join(dir, "auth.json")
	writeAuth(t, authFile, "podman.example", "pod", "p-secret")
	t.Setenv("REGISTRY_AUTH_FILE", authFile)

	c, err := New(CI{}, nil).Lookup("podman.example")
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth.Username != "pod" || c.Origin != authFile {
		t.Fatalf("got %q from %q, want pod from %s", c.Auth.Username, c.Origin, authFile)
	}
}

// TestHelperNamed proves a credential helper's credential is used and
// named as the origin, and that the helper runs once per host. The helper is a real executable on PATH speaking
// the credential helper protocol.
func TestHelperNamed(t *testing.T) {
	dir := home(t)
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(dir, "runs")
	helper := "#!/bin/sh\n[ \"$1\" = get ] || exit 1\necho run >> " + runs + "\nread host\necho '{\"ServerURL\":\"'$host'\",\"Username\":\"helped\",\"Secret\":\"h-secret\"}'\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-test"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	cfg := filepath.Join(dir, ".docker", "config.json")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(`{"credHelpers": {"helped.example": "test"}}`), 0o600); err != nil {
		t.Fatal(err)
	}

	s := New(CI{}, nil)
	c, err := s.Lookup("helped.example")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.Lookup("helped.example"); err != nil || again != c {
		t.Errorf("a second lookup gave %+v, %v", again, err)
	}
	if b, err := os.ReadFile(runs); err != nil || strings.Count(string(b), "run") != 1 {
		t.Errorf("the helper ran %q times for two lookups of one host, want once (%v)", b, err)
	}
	if c.Auth.Username != "helped" || c.Auth.Password != "h-secret" {
		t.Fatalf("got user %q, want helped with the helper's secret", c.Auth.Username)
	}
	if want := "credential helper docker-credential-test (named by " + cfg + ")"; c.Origin != want {
		t.Errorf("origin %q, want %q", c.Origin, want)
	}
}

// TestKeychain proves go-containerregistry gets the Store's credential.
func TestKeychain(t *testing.T) {
	home(t)
	s := New(CI{User: "ci", Password: "c-secret", From: "stdin"}, []string{"push.example:5000"})
	repo, err := name.NewRepository("push.example:5000/team/image")
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Keychain().Resolve(repo)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := authn.Authorization(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Username != "ci" || cfg.Password != "c-secret" {
		t.Errorf("keychain gave user %q", cfg.Username)
	}
	other, _ := name.NewRepository("public.example/team/image")
	if a, _ := s.Keychain().Resolve(other); a != authn.Anonymous {
		t.Errorf("keychain sent a credential to a registry nothing names")
	}
}
