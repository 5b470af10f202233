package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wsbuild/wsbuild/internal/rig"
)

// aptSecretSpec installs packages from an apt repository that wants a
// login, in an image and in its child, the password a build secret.
const aptSecretSpec = `secrets:
  apt: {env: WSBUILD_TEST_APT}
images:
  tools:
    base: debian:bookworm
    apt_sources:
      - {name: lab, uri: "http://%s/repo", suite: ./, trusted: true, user: ci, secret: apt}
    apt: [wsbuild-hello]
    test: ["test -f /usr/share/wsbuild-hello/hello"]
    tag: "1"
  leaf:
    from: tools
    apt: [wsbuild-extra]
    test: ["test -f /usr/share/wsbuild-extra/hello"]
    tag: "1"
push:
  - {registry: %s, namespace: aptsecret, insecure: true}
`

// TestAptSourceSecret serves a flat apt repository on loopback that wants
// basic authentication: without the secret the build fails with apt's 401;
// with it, an image and its child each install a package from there; the
// sources file is in the image, the login is not, and the secret's bytes
// are in no pushed layer or config, no output and no metadata file.
func TestAptSourceSecret(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	const secret = "apt-s3cr3t-7c1e"
	var authorized atomic.Int32
	repo := aptRepo(t, "wsbuild-hello", "wsbuild-extra")
	addr := serveWithBasicAuth(t, "ci", []string{secret}, &authorized, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, ok := repo[strings.TrimPrefix(path.Clean(req.URL.Path), "/repo/")]
		if !ok {
			http.NotFound(w, req)
			return
		}
		_, _ = w.Write(b)
	}))
	dir := t.TempDir()
	specFile := filepath.Join(dir, "wsbuild.yaml")
	write(t, specFile, fmt.Sprintf(aptSecretSpec, addr, r.Registry))
	var outputs bytes.Buffer
	build := func(args ...string) (int, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), append([]string{"build", "-f", specFile, "--push", "--progress", "plain"}, args...), &stdout, &stderr)
		outputs.Write(stdout.Bytes())
		outputs.Write(stderr.Bytes())
		return code, stderr.String()
	}

	t.Setenv("WSBUILD_TEST_APT", "wrong")
	if code, stderr := build(); code != 1 || !strings.Contains(stderr, "401") {
		t.Fatalf("the build with a wrong secret exited %d, want 1 with apt's 401:\n%s", code, lastLines(stderr, 30))
	}
	t.Setenv("WSBUILD_TEST_APT", secret)
	meta := filepath.Join(dir, "meta.json")
	if code, stderr := build("--metadata-file", meta); code != 0 {
		t.Fatalf("the build with the secret exited %d:\n%s", code, lastLines(stderr, 40))
	}
	if authorized.Load() == 0 {
		t.Fatalf("no request reached the repository with the login")
	}
	b, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	outputs.Write(b)
	for _, name := range []string{"tools", "leaf"} {
		img := pull(t, r.Registry+"/aptsecret/"+name+":1")
		fs := files(t, img)
		if _, ok := fs["etc/apt/sources.list.d/wsbuild-lab.sources"]; !ok {
			t.Errorf("%s lacks the source's file", name)
		}
		if _, ok := fs["etc/apt/auth.conf.d/wsbuild-lab.conf"]; ok {
			t.Errorf("%s holds the source's login", name)
		}
		for _, s := range []string{secret, base64.StdEncoding.EncodeToString([]byte("ci:" + secret))} {
			if imageContains(t, img, []byte(s)) {
				t.Errorf("%s holds the secret in its config or a layer", name)
			}
		}
	}
	if bytes.Contains(outputs.Bytes(), []byte(secret)) {
		t.Errorf("the secret is in wsbuild's output or the metadata file")
	}
}

// aptRepo builds a flat apt repository of one package per name (each
// holding /usr/share/NAME/hello): the .deb files, Packages and an unsigned
// Release, by their paths in the repository.
func aptRepo(t *testing.T, names ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var packages strings.Builder
	for _, name := range names {
		root := filepath.Join(t.TempDir(), name)
		for path, body := range map[string]string{
			"DEBIAN/control":               fmt.Sprintf("Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: wsbuild tests <tests@wsbuild.invalid>\nDescription: a package of the test repository\n", name),
			"usr/share/" + name + "/hello": "hello\n",
		} {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(root, path)), 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(root, path), body)
		}
		deb := root + ".deb"
		if b, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", root, deb).CombinedOutput(); err != nil {
			t.Fatalf("dpkg-deb: %v\n%s", err, b)
		}
		data, err := os.ReadFile(deb)
		if err != nil {
			t.Fatal(err)
		}
		file := name + "_1.0_all.deb"
		out[file] = data
		sum := sha256.Sum256(data)
		fmt.Fprintf(&packages, "Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: wsbuild tests <tests@wsbuild.invalid>\nFilename: ./%s\nSize: %d\nSHA256: %s\nDescription: a package of the test repository\n\n",
			name, file, len(data), hex.EncodeToString(sum[:]))
	}
	out["Packages"] = []byte(packages.String())
	sum := sha256.Sum256(out["Packages"])
	out["Release"] = fmt.Appendf(nil, "Date: Sat, 01 Jan 2000 00:00:00 UTC\nSHA256:\n %s %d Packages\n", hex.EncodeToString(sum[:]), len(out["Packages"]))
	return out
}
