package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// killSpec is one image with one apt step: the step buildkitd is killed in.
const killSpec = `images:
  tool:
    base: debian:bookworm
    apt: [less]
    tag: "1"
push:
  - {registry: %s, namespace: killed, insecure: true}
`

// TestBuildkitdKilled kills the private buildkitd (SIGKILL, as the OOM
// killer would) while a step runs: the run ends with exit code 1 and an
// error that says the daemon went away, the tag still holds what it held,
// and the next run starts a new daemon on the same state and succeeds.
func TestBuildkitdKilled(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	useRig(t, r)
	specFile := filepath.Join(t.TempDir(), "wsbuild.yaml")
	write(t, specFile, fmt.Sprintf(killSpec, r.Registry))
	tag, err := name.NewTag(r.Registry+"/killed/tool:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	old, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, old); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(os.Getenv("WSBUILD_CACHE_DIR"), "buildkitd", "buildkitd.pid")

	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(t.Context(), []string{"build", "-f", specFile, "--push", "--progress", "plain"}, io.Discard, pw)
		pw.Close()
		done <- code
	}()
	var seen []string
	sc := bufio.NewScanner(pr)
	killed := false
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if !killed && strings.Contains(sc.Text(), "apt-get install") {
			time.Sleep(time.Second)
			b, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatalf("reading the private buildkitd's pid: %v", err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	code := <-done
	out := strings.Join(seen, "\n")
	if !killed {
		t.Fatalf("the apt step never started:\n%s", lastLines(out, 20))
	}
	if code != 1 {
		t.Errorf("exit %d after buildkitd was killed, want 1", code)
	}
	for _, want := range []string{"wsbuild: buildkitd stopped in the middle of the build: buildkitd exited (signal: killed)", "last lines of "} {
		if !strings.Contains(out, want) {
			t.Errorf("the error does not say %q:\n%s", want, lastLines(out, 15))
		}
	}
	if strings.Contains(out, "pruning the build cache") {
		t.Errorf("wsbuild tried to prune the dead daemon's cache:\n%s", lastLines(out, 15))
	}
	want, _ := old.Digest()
	if desc, err := remote.Head(tag); err != nil || desc.Digest != want {
		t.Errorf("tool:1 holds %v (%v) after the killed run, want what it held before, %s", desc, err, want)
	}

	if code, stderr := wsbuild(t, "build", "-f", specFile, "--push", "--progress", "plain"); code != 0 {
		t.Fatalf("the run after the kill exited %d:\n%s", code, lastLines(stderr, 30))
	}
	if desc, err := remote.Head(tag); err != nil || desc.Digest == want {
		t.Errorf("tool:1 did not move after the second run: %v, %v", desc, err)
	}
}
