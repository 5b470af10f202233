package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// remoteSpec is one small image for the remote builder.
const remoteSpec = `images:
  remote:
    base: debian:bookworm
    copy:
      - {src: notes.txt, dst: notes.txt}
    env: {BUILT_ON: remote}
    test: ["test \"$BUILT_ON\" = remote", "grep -q %s \"$HOME/notes.txt\""]
push:
  - registry: %s
    namespace: %s
    insecure: true
`

// TestRemoteBuilderMutualTLS builds and pushes on a second buildkitd that
// listens on TCP with mutual TLS (certificates generated here), through a
// proxy that counts the bytes each way: with the right certificates the
// build succeeds and `version` reports the daemon; with no client
// certificate, a client certificate of another CA, the daemon checked
// against another CA, or no TLS at all, the build fails with a one-line
// reason.
func TestRemoteBuilderMutualTLS(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	b, proxy, addr := remoteBuilder(t, r)
	other, err := rig.GenerateTLS(filepath.Join(t.TempDir(), "other-ca"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(remoteSpec, "first", r.Registry, "remote"))
	write(t, filepath.Join(dir, "notes.txt"), "first\n")
	tlsArgs := func(ca, cert, key string) []string {
		return append([]string{"--addr", addr}, tlsFlags(ca, cert, key)...)
	}
	right := tlsArgs(b.Files.CACert, b.Files.ClientCert, b.Files.ClientKey)

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			args []string
			want []string
		}{
			{"no client certificate", tlsArgs(b.Files.CACert, "", ""),
				[]string{"TLS handshake with buildkitd at " + addr + " failed: ", "certificate required", "give --tlscert and --tlskey"}},
			{"client certificate of another CA", tlsArgs(b.Files.CACert, other.ClientCert, other.ClientKey),
				[]string{"TLS handshake with buildkitd at " + addr + " failed: ", "certificate required", "a client certificate signed by a CA it trusts"}},
			{"daemon checked against another CA", tlsArgs(other.CACert, b.Files.ClientCert, b.Files.ClientKey),
				[]string{"TLS handshake with buildkitd at " + addr + " failed: ", "x509: certificate signed by unknown authority", "--tlscacert must be the CA"}},
			{"no TLS", []string{"--addr", addr},
				[]string{"buildkitd at \"" + addr + "\" does not answer over plain TCP (", "): if it listens with TLS, give --tlscacert"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, stderr := wsbuild(t, append([]string{"build", "-f", specPath, "--push", "--progress", "plain"}, tc.args...)...)
				if code != exitFailure {
					t.Errorf("exit code %d, want %d", code, exitFailure)
				}
				for _, w := range tc.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr:\n%s\nwant it to contain %q", lastLines(stderr, 10), w)
					}
				}
				t.Logf("%s", lastLines(stderr, 1))
				if strings.Contains(stderr, "rpc error") || strings.Contains(stderr, "desc = ") {
					t.Errorf("stderr carries gRPC's wrappers:\n%s", lastLines(stderr, 10))
				}
			})
		}
	})

	t.Run("version", func(t *testing.T) {
		_, want, err := buildkitd.PrivateBinary(t.Context(), buildkitd.WithBinary(r.Buildkitd))
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), append([]string{"version"}, right...), &stdout, &stderr); code != exitOK {
			t.Fatalf("version exited %d: %s", code, stderr.String())
		}
		line := fmt.Sprintf("buildkitd: %s %s", want.Package, want.Version)
		if !strings.Contains(stdout.String(), line) || !strings.Contains(stdout.String(), " at "+addr) {
			t.Errorf("version printed:\n%s\nwant %q at %s (what %s --version says)", stdout.String(), line, addr, r.Buildkitd)
		}
	})

	// build runs `build --push` with the right certificates and more
	// args, and returns the bytes it moved up to buildkitd and down from it.
	build := func(what string, args ...string) (up, down int64) {
		t.Helper()
		sent, received := proxy.Sent(), proxy.Received()
		code, stderr := wsbuild(t, append(append([]string{"build", "-f", specPath, "--push", "--progress", "plain"}, right...), args...)...)
		if code != exitOK {
			t.Fatalf("%s on the TLS buildkitd exited %d:\n%s", what, code, lastLines(stderr, 30))
		}
		up, down = proxy.Sent()-sent, proxy.Received()-received
		t.Logf("%s: %d bytes up (wsbuild to buildkitd), %d bytes down (buildkitd to wsbuild)", what, up, down)
		return up, down
	}

	// The default for a tcp:// daemon: it pushes the blobs itself.
	_, down := build("cold build and push, --push-from auto (daemon)")
	img := pull(t, r.Registry+"/remote/remote:latest")
	size := imageSize(t, img)
	t.Logf("the pushed image's layers and config are %d bytes", size)
	if down > size/20 {
		t.Errorf("%d bytes came down from buildkitd for an image of %d that it pushes itself", down, size)
	}
	assertHasFile(t, img, "notes.txt")

	t.Run("lock and plan", func(t *testing.T) {
		// With an address, bases are resolved through that daemon.
		if code, stderr := wsbuild(t, append([]string{"lock", "-f", specPath}, right...)...); code != exitOK {
			t.Fatalf("lock through the TLS buildkitd exited %d:\n%s", code, lastLines(stderr, 10))
		}
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), append([]string{"plan", "-f", specPath, "--why"}, right...), &stdout, &stderr); code != exitOK {
			t.Fatalf("plan --why through the TLS buildkitd exited %d:\n%s", code, lastLines(stderr.String(), 10))
		}
		if !strings.Contains(stdout.String(), "skip") {
			t.Errorf("plan --why after the push:\n%s\nwant the image skipped", stdout.String())
		}
	})

	// The same image brought back to wsbuild and pushed from there (to
	// another repository, so that it is not skipped): every blob comes down.
	write(t, specPath, fmt.Sprintf(remoteSpec, "first", r.Registry, "local"))
	if _, down := build("build and push again, --push-from wsbuild", "--push-from", "wsbuild"); down < size/2 {
		t.Errorf("%d bytes came down from buildkitd, fewer than half the image's %d: the proxy did not see the export", down, size)
	}

	// A change to the copied file: only what changed comes back.
	write(t, filepath.Join(dir, "notes.txt"), "second\n")
	write(t, specPath, fmt.Sprintf(remoteSpec, "second", r.Registry, "local"))
	if _, down := build("one copied file changed, --push-from wsbuild", "--push-from", "wsbuild"); down > size/20 {
		t.Errorf("the rebuild brought %d bytes down for a %d-byte image: the base layer came back again", down, size)
	}
}

// remoteBuilder starts a buildkitd with mutual TLS for r and a counting
// proxy in front of it, and returns them with the proxy's address.
func remoteBuilder(t *testing.T, r *rig.Rig) (*rig.TLSBuildkitd, *rig.ByteProxy, string) {
	t.Helper()
	b := rig.TLSBuildkitdForTest(t, r)
	proxy := rig.ByteProxyForTest(t, "tcp", strings.TrimPrefix(b.Addr, "tcp://"))
	return b, proxy, proxy.Addr()
}

// tlsFlags are the TLS flags for a CA and, unless cert is "", a client
// certificate and key.
func tlsFlags(ca, cert, key string) []string {
	args := []string{"--tlscacert", ca}
	if cert != "" {
		args = append(args, "--tlscert", cert, "--tlskey", key)
	}
	return args
}

// imageSize is the bytes of img's compressed layers and config.
func imageSize(t *testing.T, img v1.Image) int64 {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n
}

// assertHasFile fails t unless img has a file whose path ends in /base.
func assertHasFile(t *testing.T, img v1.Image, base string) {
	t.Helper()
	for p := range files(t, img) {
		if strings.HasSuffix(p, "/"+base) {
			return
		}
	}
	t.Errorf("the pushed image has no file %s", base)
}
