package main

import (
	"archive/tar"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/llb"
	"github.com/wsbuild/wsbuild/templates"
	"golang.org/x/crypto/ssh"
)

// catalogueSpec writes the stock catalogue, pushing to the rig's registry,
// followed by extra images, into dir; it returns the spec's path.
func catalogueSpec(t *testing.T, dir, registry, extra string) string {
	t.Helper()
	s := strings.Replace(string(templates.Catalogue), "registry: 127.0.0.1:5000", "registry: "+registry, 1)
	s = strings.Replace(s, "namespace: wsbuild", "namespace: catalogue", 1)
	if extra != "" {
		i := strings.Index(s, "\npush:")
		s = s[:i+1] + extra + s[i+1:]
	}
	p := filepath.Join(dir, "wsbuild.yaml")
	write(t, p, s)
	write(t, filepath.Join(dir, "offline.sets"), string(templates.OfflineSets))
	return p
}

// TestCatalogue builds the stock catalogue's CPU family on the Debian base,
// with every automatic check, pushes it, and inspects what was pushed. Then
// it builds one image per check that breaks it, on top of the catalogue, and
// shows that each check fails its image and that nothing is pushed.
func TestCatalogue(t *testing.T) {
	r := rig.ForTest(t)
	t.Setenv(buildkitd.EnvBinary, r.Buildkitd)
	t.Setenv(buildkitd.EnvConfig, r.BuildkitdConfig)
	t.Setenv("WSBUILD_CACHE_DIR", t.TempDir())
	t.Setenv(buildkitd.EnvHost, "")
	dir := t.TempDir()
	specPath := catalogueSpec(t, dir, r.Registry, brokenImages(t, dir, r.Registry))
	meta := filepath.Join(t.TempDir(), "meta.json")

	names := catalogueNames(t)
	args := append([]string{"build", "-f", specPath, "--set-file", filepath.Join(dir, "offline.sets"),
		"--push", "--progress", "plain", "--metadata-file", meta}, names...)
	code, stderr := wsbuild(t, args...)
	if code != 0 {
		t.Fatalf("building the catalogue: exit %d\n%s", code, lastLines(stderr, 60))
	}
	built := readMetadata(t, meta)
	ran := checksRan(stderr)
	ref := func(name string) string { return r.Registry + "/catalogue/" + name + ":3.11" }

	common := []string{"runs as user (1000:1000)", "no sudo", "no private host key", "python is 3.11",
		"entrypoint sets a password and drops to the user"}
	want := map[string]struct {
		cmd    []string
		ports  []string
		checks []string
	}{
		"python":                             {[]string{"python3"}, nil, nil},
		"python-pytorch":                     {[]string{"python3"}, nil, []string{"test 1: python -c 'import torch, torchvision; print(torch.__version__)'"}},
		"python-pytorch-desktop-vnc":         {supervisord, []string{"5900/tcp"}, []string{"supervisor config parses", "X and VNC start, VNC port 5900 answers"}},
		"python-pytorch-desktop-vnc-sshd":    {supervisord, []string{"2222/tcp", "5900/tcp"}, []string{"sshd -t accepts the config", "X and VNC start, VNC port 5900 answers"}},
		"python-pytorch-jupyter":             {[]string{llb.ProgramDir + "/jupyter"}, []string{"8888/tcp"}, []string{"jupyter --version"}},
		"python-tensorflow":                  {[]string{"python3"}, nil, []string{"test 1: python -c 'import numpy, h5py, google.protobuf'"}},
		"python-tensorflow-desktop-vnc":      {supervisord, []string{"5900/tcp"}, []string{"supervisor config parses"}},
		"python-tensorflow-desktop-vnc-sshd": {supervisord, []string{"2222/tcp", "5900/tcp"}, []string{"sshd -t accepts the config"}},
		"python-tensorflow-jupyter":          {[]string{llb.ProgramDir + "/jupyter"}, []string{"8888/tcp"}, []string{"jupyter --version"}},
	}
	for name, w := range want {
		m := built[name]
		if m == nil || m["pushed"] != true {
			t.Fatalf("%s was not built and pushed: %v", name, m)
		}
		// What ran is what BuildKit reported running to the end; the
		// metadata, which lists the checks compiled, must say no more.
		for _, c := range append(slices.Clone(common), w.checks...) {
			if !slices.Contains(ran[name], c) {
				t.Errorf("%s: check %q did not run (ran %q)", name, c, ran[name])
			}
		}
		var claimed []string
		for _, c := range m["checks"].([]any) {
			claimed = append(claimed, c.(string))
		}
		slices.Sort(claimed)
		if !slices.Equal(claimed, ran[name]) {
			t.Errorf("%s: the metadata says checks %q passed, the build ran %q", name, claimed, ran[name])
		}
		cfg, err := pull(t, ref(name)).ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		c := cfg.Config
		if c.User != "1000:1000" || !slices.Equal(c.Entrypoint, []string{llb.InitPath}) || !slices.Equal(c.Cmd, w.cmd) {
			t.Errorf("%s: user %q entrypoint %q cmd %q; want 1000:1000 %q %q", name, c.User, c.Entrypoint, c.Cmd, llb.InitPath, w.cmd)
		}
		var ports []string
		for p := range c.ExposedPorts {
			ports = append(ports, p)
		}
		slices.Sort(ports)
		if !slices.Equal(ports, w.ports) {
			t.Errorf("%s: exposed ports %q, want %q", name, ports, w.ports)
		}
		if slices.ContainsFunc(c.Env, func(e string) bool { return strings.HasPrefix(e, "NVIDIA_") }) {
			t.Errorf("%s: the CPU leg has NVIDIA variables: %q", name, c.Env)
		}
		// The SBOM lists what the image holds: Python everywhere, and
		// torch on the PyTorch branch (from Debian, offline).
		want := []string{"pkg:deb/debian/python3@"}
		if strings.HasPrefix(name, "python-pytorch") {
			want = append(want, "pkg:deb/debian/python3-torch@")
		}
		sbom := spdxPackages(t, attested(t, ref(name), m)[attest.PredicateSPDX])
		for _, p := range want {
			if !slices.ContainsFunc(sbom, func(s string) bool { return strings.HasPrefix(s, p) }) {
				t.Errorf("%s: the SBOM lists no %s… among its %d packages", name, p, len(sbom))
			}
		}
	}

	// No password is made at build time: the account has a shadow entry,
	// locked until the entrypoint sets a password at start.
	if line, err := shadowEntry(fileIn(t, pull(t, ref("python")), "etc/shadow"), "user"); err != nil {
		t.Error(err)
	} else if f := strings.Split(line, ":"); !strings.HasPrefix(f[1], "!") && f[1] != "*" {
		t.Errorf("the image stores a password for user, or none at all: %q", line)
	}
	// The layers sshd added hold no host key, and the key folder is empty.
	sshd, parent := pull(t, ref("python-pytorch-desktop-vnc-sshd")), pull(t, ref("python-pytorch-desktop-vnc"))
	for _, h := range addedFiles(t, sshd, parent) {
		if strings.HasPrefix(h.Name, "etc/ssh/ssh_host_") || strings.HasPrefix(h.Name, "var/lib/wsbuild/ssh/") && h.Typeflag == tar.TypeReg {
			t.Errorf("sshd image holds %s", h.Name)
		}
	}

	t.Run("each check fails the image that breaks it", func(t *testing.T) { brokenBuild(t, specPath, dir, r.Registry) })
	t.Run("CUDA leg on the stand-in base", func(t *testing.T) { cudaLeg(t, specPath, dir, r.Registry) })
	t.Run("init --from a JinaD workspace builds", func(t *testing.T) { jinadWorkspace(t, r.Registry) })
}

var supervisord = []string{"supervisord", "-c", llb.SupervisordConf}

// shadowEntry returns user's line of the /etc/shadow content shadow, an
// error when there is none or it is malformed.
func shadowEntry(shadow, user string) (string, error) {
	for _, line := range strings.Split(shadow, "\n") {
		if f := strings.Split(line, ":"); f[0] == user {
			if len(f) != 9 {
				return "", fmt.Errorf("/etc/shadow: malformed entry for %s: %q", user, line)
			}
			return line, nil
		}
	}
	return "", fmt.Errorf("/etc/shadow has no entry for %s:\n%s", user, shadow)
}

// checkVertex is a check's vertex in BuildKit's plain progress: "#12
// [image] check: name".
var checkVertex = regexp.MustCompile(`^#(\d+) \[([^\]]+)\] check: (.+)$`)

// checksRan returns, by image, the sorted names of the checks whose
// vertices BuildKit's plain progress log shows running to the end (DONE,
// not CACHED nor ERROR).
func checksRan(log string) map[string][]string {
	vertex := map[string][2]string{} // "#12" -> image, check
	var done []string
	for _, line := range strings.Split(log, "\n") {
		if m := checkVertex.FindStringSubmatch(line); m != nil {
			vertex["#"+m[1]] = [2]string{m[2], m[3]}
		} else if id, rest, ok := strings.Cut(line, " "); ok && strings.HasPrefix(id, "#") && (rest == "DONE" || strings.HasPrefix(rest, "DONE ")) {
			done = append(done, id)
		}
	}
	out := map[string][]string{}
	for _, id := range done {
		if v, ok := vertex[id]; ok && !slices.Contains(out[v[0]], v[1]) {
			out[v[0]] = append(out[v[0]], v[1])
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out
}

// addedFiles lists the tar headers of img's layers that parent does not have.
func addedFiles(t *testing.T, img, parent v1.Image) []*tar.Header {
	t.Helper()
	have := map[v1.Hash]bool{}
	for _, d := range layerDigests(t, parent) {
		have[d] = true
	}
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var out []*tar.Header
	for _, l := range ls {
		if d, _ := l.Digest(); have[d] {
			continue
		}
		walkLayer(t, l, func(h *tar.Header, _ io.Reader) { out = append(out, h) })
	}
	return out
}

// fileIn returns the content of path in img's flattened filesystem.
func fileIn(t *testing.T, img v1.Image, path string) string {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s is not in the image", path)
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimPrefix(h.Name, "./") == path {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}

// hostKey makes a real OpenSSH private key for the host-key check to find.
func hostKey(t *testing.T) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block))
}

// TestChecksRan reads what ran from a plain progress log: checks that
// ended DONE, not those that failed or came from the cache.
func TestChecksRan(t *testing.T) {
	log := `#7 [python] check: no sudo
#8 [python] check: python is 3.11
#9 [tools] check: no sudo
#7 DONE 0.2s
#8 [python] check: python is 3.11
#8 0.113 Python 3.11.2
#8 ERROR: process "/bin/sh -c ..." did not complete successfully: exit code: 1
#9 CACHED
#10 [tools] check: test 1: python -c 'import numpy'
#10 DONE
#11 [tools] apt-get install
#11 DONE 3.0s
`
	got := checksRan(log)
	want := map[string][]string{"python": {"no sudo"}, "tools": {"test 1: python -c 'import numpy'"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checksRan = %q, want %q", got, want)
	}
}

// TestShadowEntry finds an account's shadow line and fails when there is
// none, so a missing entry cannot pass for a locked one.
func TestShadowEntry(t *testing.T) {
	shadow := "root:*:19000:0:99999:7:::\nuser:!:19000:0:99999:7:::\n"
	if line, err := shadowEntry(shadow, "user"); err != nil || line != "user:!:19000:0:99999:7:::" {
		t.Errorf("shadowEntry(user) = %q, %v", line, err)
	}
	if line, err := shadowEntry(shadow, "ada"); err == nil {
		t.Errorf("shadowEntry(ada) = %q, want an error: there is no entry", line)
	}
	if line, err := shadowEntry("user:!\n", "user"); err == nil {
		t.Errorf("shadowEntry of a short line = %q, want an error", line)
	}
}

// catalogueNames are the names of the stock catalogue's images.
func catalogueNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, line := range strings.Split(string(templates.Catalogue), "\n") {
		if n, ok := strings.CutSuffix(line, ":"); ok && strings.HasPrefix(n, "  ") && !strings.HasPrefix(n, "   ") {
			names = append(names, strings.TrimSpace(n))
		}
	}
	if len(names) != 9 {
		t.Fatalf("found %d catalogue images, want 9: %v", len(names), names)
	}
	return names
}
