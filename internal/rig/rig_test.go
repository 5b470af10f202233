package rig

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	bkconfig "github.com/moby/buildkit/cmd/buildkitd/config"
	"github.com/pelletier/go-toml/v2"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// requireSetUp fails when .ci/rig-setup.sh has not run (see testenv for
// when the test may be left out instead).
func requireSetUp(t *testing.T) {
	t.Helper()
	testenv.NeedsRealRig(t)
	_, err := findPrereqs(CacheDir())
	if err != nil {
		t.Fatal(err)
	}
}

func TestStartServesBaseAndClosesCleanly(t *testing.T) {
	requireSetUp(t)
	r, err := Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	ref, err := name.ParseReference(r.Registry+"/library/debian:bookworm", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("reading back %q: %v", ref, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Architecture != runtime.GOARCH || cf.OS != "linux" {
		t.Errorf("platform = %s/%s, want linux/%s", cf.OS, cf.Architecture, runtime.GOARCH)
	}
	if !slices.Equal(cf.Config.Env, baseEnv) || !slices.Equal(cf.Config.Cmd, []string{"bash"}) {
		t.Errorf("env %q cmd %q, want %q and [bash]", cf.Config.Env, cf.Config.Cmd, baseEnv)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Errorf("got %d layers, want 1", len(layers))
	}
	if mt, err := img.MediaType(); err != nil || mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type = %q (%v), want %q", mt, err, types.OCIManifestSchema1)
	}

	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	assertRefused(t, r.Registry)
	if _, err := os.Stat(r.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left the folder it created: %v", err)
	}
}

func TestBuildkitdConfigMatchesBuildkit(t *testing.T) {
	requireSetUp(t)
	r := ForTest(t)
	b, err := os.ReadFile(r.BuildkitdConfig)
	if err != nil {
		t.Fatal(err)
	}
	// Decode strictly into buildkit v0.33's own config type: a misspelt key fails here.
	var c bkconfig.Config
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("buildkitd.toml does not fit buildkit's config:\n%s\n%v", b, err)
	}
	if c.Workers.OCI.Enabled == nil || !*c.Workers.OCI.Enabled || c.Workers.OCI.Snapshotter != "overlayfs" {
		t.Errorf("worker.oci = %+v, want enabled with overlayfs", c.Workers.OCI)
	}
	if c.Workers.Containerd.Enabled == nil || *c.Workers.Containerd.Enabled {
		t.Errorf("worker.containerd.enabled = %v, want false", c.Workers.Containerd.Enabled)
	}
	local := c.Registries[r.Registry]
	if local.PlainHTTP == nil || !*local.PlainHTTP || local.Insecure == nil || !*local.Insecure {
		t.Errorf("registry %q = %+v, want http and insecure", r.Registry, local)
	}
	if m := c.Registries["docker.io"].Mirrors; !slices.Equal(m, []string{r.Registry}) {
		t.Errorf("docker.io mirrors = %q, want [%q]", m, r.Registry)
	}
	if _, err := bkconfig.LoadFile(r.BuildkitdConfig); err != nil {
		t.Errorf("buildkit's LoadFile: %v", err)
	}
}

// TestDetachedReuseAndStop is what `rig up` twice and `rig down` do.
func TestDetachedReuseAndStop(t *testing.T) {
	requireSetUp(t)
	dir := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Stop(dir) })
	up := func() *Rig {
		t.Helper()
		r, err := Start(t.Context(), WithDir(dir), WithPort(port), WithDetached())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil { // must leave the registry running
			t.Fatal(err)
		}
		if !registryAnswers(t.Context(), r.Registry) {
			t.Fatalf("registry %q stopped after Close of a detached rig", r.Registry)
		}
		return r
	}
	r := up()
	pid, err := os.ReadFile(filepath.Join(dir, registryPidFile))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	up()
	t.Logf("second up took %s", time.Since(start))
	if again, _ := os.ReadFile(filepath.Join(dir, registryPidFile)); !bytes.Equal(again, pid) {
		t.Errorf("second up started another registry: pid %q, then %q", pid, again)
	}

	if err := Stop(dir); err != nil {
		t.Fatal(err)
	}
	assertRefused(t, r.Registry)
	if err := Stop(dir); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestAttachedRefusesBusyPort(t *testing.T) {
	requireSetUp(t)
	r := ForTest(t)
	_, port, _ := net.SplitHostPort(r.Registry)
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start(t.Context(), WithPort(p))
	if err == nil || !strings.Contains(err.Error(), "already answers") {
		t.Fatalf("Start on a busy port: %v, want an error", err)
	}
}

func TestMissingPrerequisites(t *testing.T) {
	_, err := Start(context.Background(), WithCache(t.TempDir()))
	if !errors.Is(err, ErrNotSetUp) || !strings.Contains(err.Error(), ".ci/rig-setup.sh") {
		t.Fatalf("Start with an empty cache: %v, want ErrNotSetUp naming .ci/rig-setup.sh", err)
	}
}

func TestOptionsRejectBadValues(t *testing.T) {
	for _, opt := range []Option{WithDir(""), WithCache(""), WithPort(0), WithPort(70000)} {
		if err := opt(&options{}); err == nil {
			t.Errorf("option accepted a bad value")
		}
	}
}

func assertRefused(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
		t.Errorf("%s still accepts connections", addr)
	}
}
