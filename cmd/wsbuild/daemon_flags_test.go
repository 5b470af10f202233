package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/rig"
)

// TestTLSFlagErrors checks that bad TLS settings stop a command before it
// connects, with exit code 2 and a message naming the flag or variable and
// the path.
func TestTLSFlagErrors(t *testing.T) {
	dir := t.TempDir()
	files, err := rig.GenerateTLS(filepath.Join(dir, "ca1"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := rig.GenerateTLS(filepath.Join(dir, "ca2"))
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.pem")
	addr := []string{"--addr", "tcp://127.0.0.1:1"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"missing CA", append([]string{"--tlscacert", missing}, addr...), nil,
			[]string{"--tlscacert: open " + missing + ": no such file or directory"}},
		{"CA that is no certificate", append([]string{"--tlscacert", files.ClientKey}, addr...), nil,
			[]string{"--tlscacert: " + `"` + files.ClientKey + `" holds no PEM certificate`}},
		{"missing CA from the environment", addr, map[string]string{envTLSCACert: missing},
			[]string{"$WSBUILD_TLSCACERT: open " + missing}},
		{"missing client certificate", append([]string{"--tlscacert", files.CACert, "--tlscert", missing, "--tlskey", files.ClientKey}, addr...), nil,
			[]string{"--tlscert: open " + missing}},
		{"missing key", append([]string{"--tlscert", files.ClientCert, "--tlskey", missing}, addr...), nil,
			[]string{"--tlskey: open " + missing}},
		{"certificate without key", append([]string{"--tlscert", files.ClientCert}, addr...), nil,
			[]string{"--tlscert needs --tlskey"}},
		{"key of another certificate", append([]string{"--tlscert", files.ClientCert, "--tlskey", other.ClientKey}, addr...), nil,
			[]string{"--tlscert " + `"` + files.ClientCert + `" and --tlskey "` + other.ClientKey + `"`, "private key does not match public key"}},
		{"tlsdir without the files", append([]string{"--tlsdir", dir}, addr...), nil,
			[]string{"--tlsdir " + `"` + dir + `" holds neither ca.pem nor ca.crt`}},
		{"tlsdir and a file", append([]string{"--tlsdir", dir, "--tlscacert", files.CACert}, addr...), nil,
			[]string{"--tlsdir cannot be given with --tlscacert"}},
		{"server name without TLS", append([]string{"--tlsservername", "x"}, addr...), nil,
			[]string{"--tlsservername needs TLS"}},
		{"a key's content where its path goes", addr, map[string]string{envTLSCert: files.ClientCert,
			envTLSKey: "-----BEGIN PRIVATE KEY-----\nSECRETBYTES\n-----END PRIVATE KEY-----\n"},
			[]string{"$WSBUILD_TLSKEY holds PEM content, not the path of a file (its value is not shown"}},
		{"TLS without an address", []string{"--tlscacert", files.CACert}, nil,
			[]string{"the TLS flags need a buildkitd address (--addr or $BUILDKIT_HOST)"}},
	}
	for _, cmd := range []string{"version", "build", "lock"} {
		for _, tc := range tests {
			t.Run(cmd+"/"+tc.name, func(t *testing.T) {
				for _, e := range []string{envTLSCACert, envTLSCert, envTLSKey, envTLSServerName, envTLSDir, "BUILDKIT_HOST"} {
					t.Setenv(e, tc.env[e])
				}
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), append([]string{cmd}, tc.args...), &stdout, &stderr)
				if code != exitUsage {
					t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitUsage, stderr.String())
				}
				if strings.Contains(stderr.String(), "SECRETBYTES") {
					t.Errorf("stderr shows the key's content:\n%s", stderr.String())
				}
				for _, w := range tc.want {
					if !strings.Contains(stderr.String(), w) {
						t.Errorf("stderr:\n%s\nwant it to contain %q", stderr.String(), w)
					}
				}
			})
		}
	}
}

// TestTLSDirAndEnvironment checks that --tlsdir finds Kubernetes' file names
// and that the variables fill flags left out, flags winning.
func TestTLSDirAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	files, err := rig.GenerateTLS(dir)
	if err != nil {
		t.Fatal(err)
	}
	k8s := filepath.Join(dir, "k8s")
	if err := os.Mkdir(k8s, 0o700); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{files.CACert: "ca.crt", files.ClientCert: "tls.crt", files.ClientKey: "tls.key"} {
		if err := os.Link(from, filepath.Join(k8s, to)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("BUILDKIT_HOST", "tcp://127.0.0.1:1")
	t.Setenv(envTLSServerName, "from-env")
	t.Setenv(envTLSDir, "")
	t.Setenv(envTLSCACert, "")
	t.Setenv(envTLSCert, "")
	t.Setenv(envTLSKey, "")

	fs := newFlags("x", "x", &bytes.Buffer{})
	var d daemonFlags
	d.register(fs)
	if err := fs.Parse([]string{"--tlsdir", k8s}); err != nil {
		t.Fatal(err)
	}
	got, err := d.resolveTLS()
	if err != nil {
		t.Fatal(err)
	}
	if got.CACert != filepath.Join(k8s, "ca.crt") || got.Cert != filepath.Join(k8s, "tls.crt") || got.Key != filepath.Join(k8s, "tls.key") || got.ServerName != "from-env" {
		t.Errorf("--tlsdir %s gave %+v", k8s, got)
	}

	t.Setenv(envTLSCACert, files.CACert)
	fs = newFlags("x", "x", &bytes.Buffer{})
	d = daemonFlags{}
	d.register(fs)
	if err := fs.Parse([]string{"--tlsservername", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	if got, err = d.resolveTLS(); err != nil {
		t.Fatal(err)
	}
	if got.CACert != files.CACert || got.ServerName != "from-flag" || got.Cert != "" {
		t.Errorf("$%s with --tlsservername gave %+v", envTLSCACert, got)
	}

	// Files on the command line replace the environment's as a whole.
	fs = newFlags("x", "x", &bytes.Buffer{})
	d = daemonFlags{}
	d.register(fs)
	if err := fs.Parse([]string{"--tlsdir", k8s}); err != nil {
		t.Fatal(err)
	}
	if got, err = d.resolveTLS(); err != nil {
		t.Fatalf("--tlsdir with $%s set: %v", envTLSCACert, err)
	}
	if got.CACert != filepath.Join(k8s, "ca.crt") {
		t.Errorf("--tlsdir with $%s set gave %+v, want the folder's CA", envTLSCACert, got)
	}
}
