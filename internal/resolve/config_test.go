package resolve

import (
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
)

// These tests need no registry and run under -short.

func ptr(b bool) *bool { return &b }

// rigConfig is the buildkitd.toml internal/rig writes, for a registry on port 5000.
const rigConfig = `# Written by wsbuild's internal/rig.

[worker.oci]
  enabled = true
  snapshotter = "overlayfs"

[worker.containerd]
  enabled = false

[registry."127.0.0.1:5000"]
  http = true
  insecure = true

[registry."docker.io"]
  mirrors = ["127.0.0.1:5000"]
`

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		toml    string
		want    Config
		wantErr string
	}{
		{name: "the rig's config", toml: rigConfig, want: Config{
			"127.0.0.1:5000": {HTTP: ptr(true), Insecure: ptr(true)},
			"docker.io":      {Mirrors: []string{"127.0.0.1:5000"}},
		}},
		{name: "no registry tables", toml: "debug = true\n[worker.oci]\nenabled = true\n", want: Config{}},
		{name: "empty file", toml: "", want: Config{}},
		{name: "ca and http false", toml: "[registry.\"reg.example\"]\nhttp = false\nca = [\"/etc/ca.pem\"]\n",
			want: Config{"reg.example": {HTTP: ptr(false), CA: []string{"/etc/ca.pem"}}}},
		{name: "not TOML", toml: "this is [ not toml\n", wantErr: "toml"},
		{name: "mirrors not a list", toml: "[registry.\"docker.io\"]\nmirrors = \"127.0.0.1:5000\"\n", wantErr: "Mirrors of type []string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseConfig([]byte(tc.toml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseConfig error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseConfig = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	rig, err := ParseConfig([]byte(rigConfig))
	if err != nil {
		t.Fatal(err)
	}
	type ep struct {
		host, prefix string
		plainHTTP    bool
		skipVerify   bool
	}
	for _, tc := range []struct {
		name   string
		config Config
		domain string
		want   []ep
	}{
		{"mirror over plain HTTP, then the registry", rig, "docker.io",
			[]ep{{"127.0.0.1:5000", "", true, true}, {"docker.io", "", false, false}}},
		{"the rig's registry itself", rig, "127.0.0.1:5000", []ep{{"127.0.0.1:5000", "", true, true}}},
		{"registry without a table", rig, "ghcr.io", []ep{{"ghcr.io", "", false, false}}},
		{"loopback without a table is plain HTTP", nil, "localhost:5000", []ep{{"localhost:5000", "", true, false}}},
		{"http = false overrides loopback", Config{"127.0.0.1:5000": {HTTP: ptr(false)}}, "127.0.0.1:5000",
			[]ep{{"127.0.0.1:5000", "", false, false}}},
		{"mirror with a path and a scheme", Config{"docker.io": {Mirrors: []string{"https://mirror.example:5000/hub/", "other.example/a/b"}}}, "docker.io",
			[]ep{{"mirror.example:5000", "hub", false, false}, {"other.example", "a/b", false, false}, {"docker.io", "", false, false}}},
		{"insecure without http", Config{"reg.example": {Insecure: ptr(true)}}, "reg.example",
			[]ep{{"reg.example", "", false, true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eps, err := tc.config.endpoints(tc.domain)
			if err != nil {
				t.Fatal(err)
			}
			var got []ep
			for _, e := range eps {
				skip := false
				if e.transport != nil {
					tc := e.transport.(*http.Transport).TLSClientConfig
					skip = tc != nil && tc.InsecureSkipVerify
				}
				got = append(got, ep{e.host, e.prefix, e.plainHTTP, skip})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("endpoints(%q) = %+v, want %+v", tc.domain, got, tc.want)
			}
		})
	}
}

func TestEndpointCA(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		name, ca, wantErr string
	}{
		{"missing CA file", missing, `mirror "ca.example" of "docker.io": reading CA: open ` + missing},
		{"CA file without a certificate", notPEM, `CA "` + notPEM + `" holds no PEM certificate`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{"docker.io": {Mirrors: []string{"ca.example"}}, "ca.example": {CA: []string{tc.ca}}}
			_, err := c.endpoints("docker.io")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("endpoints error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewReadsConfigFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "buildkitd.toml")
	if err := os.WriteFile(file, []byte(rigConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[registry\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.toml")
	for _, tc := range []struct {
		name        string
		env         string
		opts        []Option
		wantMirrors []string
		wantErr     string
	}{
		{name: "from the environment", env: file, wantMirrors: []string{"127.0.0.1:5000"}},
		{name: "WithConfigFile", opts: []Option{WithConfigFile(file)}, wantMirrors: []string{"127.0.0.1:5000"}},
		{name: "WithConfigFile empty ignores the environment", env: file, opts: []Option{WithConfigFile("")}},
		{name: "WithConfig wins", env: file, opts: []Option{WithConfig(Config{"docker.io": {Mirrors: []string{"m.example"}}})},
			wantMirrors: []string{"m.example"}},
		{name: "no config", env: ""},
		{name: "missing file", env: missing, wantErr: "reading buildkitd config: open " + missing},
		{name: "bad file", opts: []Option{WithConfigFile(bad)}, wantErr: `parsing buildkitd config "` + bad + `"`},
		{name: "nil keychain", opts: []Option{WithKeychain(nil)}, wantErr: "WithKeychain: nil keychain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvConfig, tc.env)
			r, err := New(tc.opts...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.config["docker.io"].Mirrors; !reflect.DeepEqual(got, tc.wantMirrors) {
				t.Errorf("docker.io mirrors = %q, want %q", got, tc.wantMirrors)
			}
		})
	}
}

// TestEnvConfigIsBuildkitds: the resolver reads the config the private
// buildkitd is given.
func TestEnvConfigIsBuildkitds(t *testing.T) {
	if EnvConfig != buildkitd.EnvConfig {
		t.Errorf("EnvConfig = %q, internal/buildkitd reads %q", EnvConfig, buildkitd.EnvConfig)
	}
}

// TestEndpointWithWrappedTransport checks that an insecure endpoint is
// made when go-containerregistry's default transport has been wrapped (as
// the CLI's upload-counting tests do).
func TestEndpointWithWrappedTransport(t *testing.T) {
	saved := remote.DefaultTransport
	remote.DefaultTransport = roundTripperFunc(func(r *http.Request) (*http.Response, error) { return saved.RoundTrip(r) })
	t.Cleanup(func() { remote.DefaultTransport = saved })
	insecure := true
	e, err := Config{"reg.example": {Insecure: &insecure}}.endpoint("reg.example")
	if err != nil {
		t.Fatal(err)
	}
	if e.transport == nil || e.transport.(*http.Transport).TLSClientConfig == nil || !e.transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify {
		t.Errorf("insecure endpoint transport %+v", e.transport)
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
