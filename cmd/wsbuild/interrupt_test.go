package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// TestInterruptStopsDaemonAndPushesNothing sends SIGINT to a real wsbuild
// process while buildkitd is running a step, and checks that wsbuild exits
// with 1, that no buildkitd is left behind, that the tags the run targets
// still hold what they held before and that the registry stored nothing.
// TestEndToEnd interrupts a build during its push the same way.
func TestInterruptStopsDaemonAndPushesNothing(t *testing.T) {
	r := rig.ForTest(t)
	specPath := e2eSetup(t, r)
	// Tags the run would move, holding other images beforehand.
	before := map[string]v1.Hash{}
	for _, image := range []string{"python", "tools"} {
		ref := r.Registry + "/e2e/" + image + ":latest"
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		tag, err := name.NewTag(ref, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(tag, img); err != nil {
			t.Fatal(err)
		}
		before[ref] = mustDigest(t, img)
	}
	stored := registryFiles(t, r)
	cmd := exec.Command(wsbuildBinary(t), "build", "-f", specPath, "--push", "--progress", "plain")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the apt step is running inside buildkitd.
	sc := bufio.NewScanner(stderr)
	var seen []string
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if strings.Contains(sc.Text(), "apt-get install") {
			break
		}
	}
	time.Sleep(time.Second)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		seen = append(seen, sc.Text())
	}
	checkInterrupted(t, cmd.Wait(), strings.Join(seen, "\n"))
	checkNothingStored(t, r, before, stored)
}

// interruptPush runs wsbuild build --push --push-from wsbuild (wsbuild's
// own pusher) on specPath, already built and pushed once, with a label
// changed so that every image is pushed again, through a registry proxy
// that holds every write. At the first write it
// interrupts wsbuild, and checks that wsbuild exits with 1 and stops its
// daemon, that the tags still hold the digests in before and that the
// registry stored nothing. Writes still waiting a few seconds after the
// interrupt are let through, so a wsbuild that went on pushing is caught.
func interruptPush(t *testing.T, r *rig.Rig, specPath string, before map[string]v1.Hash) {
	t.Helper()
	proxy := newHoldingProxy(t, r.Registry)
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	viaProxy := filepath.Join(filepath.Dir(specPath), "via-proxy.yaml")
	write(t, viaProxy, strings.Replace(string(spec), "registry: "+r.Registry, "registry: "+proxy.addr, 1))
	stored := registryFiles(t, r)

	cmd := exec.Command(wsbuildBinary(t), "build", "-f", viaProxy, "--push", "--push-from", "wsbuild", "--progress", "plain",
		"--set", "python.labels.rev=interrupted")
	var out testenv.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-proxy.firstWrite:
	case err := <-exited:
		t.Fatalf("wsbuild ended (%v) before it pushed anything:\n%s", err, lastLines(out.String(), 30))
	case <-time.After(10 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("wsbuild pushed nothing in 10 minutes:\n%s", lastLines(out.String(), 30))
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	interrupted := time.Now()
	defer func() { t.Logf("wsbuild exited %s after SIGINT", time.Since(interrupted).Round(time.Millisecond)) }()
	var waitErr error
	select {
	case waitErr = <-exited:
	case <-time.After(3 * time.Second):
		proxy.letThrough()
		select {
		case waitErr = <-exited:
		case <-time.After(2 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("wsbuild still runs 2 minutes after SIGINT:\n%s", lastLines(out.String(), 30))
		}
	}
	proxy.letThrough()
	checkInterrupted(t, waitErr, out.String())
	if w := proxy.forwarded(); len(w) > 0 {
		t.Errorf("writes reached the registry after the interrupt: %q\n%s", w, lastLines(out.String(), 15))
	}
	checkNothingStored(t, r, before, stored)
}

// checkInterrupted checks that an interrupted wsbuild exited with 1 (err is
// its Wait's) and left no buildkitd running in $WSBUILD_CACHE_DIR.
func checkInterrupted(t *testing.T, err error, output string) {
	t.Helper()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("wsbuild after SIGINT: %v, want exit code 1\n%s", err, lastLines(output, 10))
	}
	stateDir := filepath.Join(os.Getenv("WSBUILD_CACHE_DIR"), "buildkitd")
	if out, _ := exec.Command("pgrep", "-f", stateDir).Output(); len(out) > 0 {
		t.Errorf("buildkitd still running after SIGINT: pids %s", out)
		for _, pid := range strings.Fields(string(out)) {
			_ = exec.Command("kill", "-9", pid).Run()
		}
	}
}

// checkNothingStored checks that every tag of before still holds its
// digest and that the registry's storage is as registryFiles found it.
func checkNothingStored(t *testing.T, r *rig.Rig, before map[string]v1.Hash, stored map[string]string) {
	t.Helper()
	for ref, d := range before {
		tag, err := name.NewTag(ref, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Head(tag)
		if err != nil || desc.Digest != d {
			t.Errorf("%s moved: it held %s, now %v (%v)", ref, d, desc, err)
		}
	}
	now := registryFiles(t, r)
	var changed []string
	for p, v := range now {
		if w, ok := stored[p]; !ok || w != v {
			changed = append(changed, p)
		}
	}
	for p := range stored {
		if _, ok := now[p]; !ok {
			changed = append(changed, p+" (removed)")
		}
	}
	slices.Sort(changed)
	if len(changed) > 0 {
		t.Errorf("the interrupted run changed the registry's storage (blobs, manifests, tags):\n%s", strings.Join(changed, "\n"))
	}
}

// registryFiles lists what the rig's registry process stores: every file
// under its storage folder but unfinished uploads, with its content when
// small (links: tags, layer and manifest references) or else its size (blob
// data).
func registryFiles(t *testing.T, r *rig.Rig) map[string]string {
	t.Helper()
	root := filepath.Join(r.Dir, "registry")
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "_uploads" {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if info.Size() > 4096 {
			out[rel] = fmt.Sprintf("%d bytes", info.Size())
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no registry storage under %s", root)
	}
	return out
}

// wsbuildBinary builds this command into a temporary folder.
func wsbuildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wsbuild")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building wsbuild: %v\n%s", err, out)
	}
	return bin
}

// holdingProxy forwards registry requests, but holds each write that
// carries content (PUT, PATCH: a blob's bytes, a manifest) until its client
// gives up or letThrough is called. Opening and cancelling an upload (the
// push check before a build) goes through.
type holdingProxy struct {
	addr       string
	firstWrite chan struct{} // closed when the first write arrives

	first, release sync.Once
	through        chan struct{}
	mu             sync.Mutex
	passed         []string // writes forwarded: "METHOD path"
}

func newHoldingProxy(t *testing.T, registry string) *holdingProxy {
	t.Helper()
	p := &holdingProxy{firstWrite: make(chan struct{}), through: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: registry})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPut || req.Method == http.MethodPatch {
			// Read the body first: only then does the server notice a
			// client that hangs up (the request's context ends).
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return
			}
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			p.first.Do(func() { close(p.firstWrite) })
			select {
			case <-p.through:
			case <-req.Context().Done():
				return
			}
			p.mu.Lock()
			p.passed = append(p.passed, req.Method+" "+req.URL.Path)
			p.mu.Unlock()
		}
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(func() { p.letThrough(); srv.Close() })
	p.addr = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// letThrough forwards the writes held and every later one.
func (p *holdingProxy) letThrough() { p.release.Do(func() { close(p.through) }) }

// forwarded returns the writes that reached the registry.
func (p *holdingProxy) forwarded() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.passed)
}
