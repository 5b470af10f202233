package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// TestInterruptStopsDaemonAndPushesNothing sends SIGINT to a real wsbuild
// process while buildkitd is running a step, and checks that wsbuild exits
// with 1, that no buildkitd is left behind and that no tag was written.
func TestInterruptStopsDaemonAndPushesNothing(t *testing.T) {
	r := rig.ForTest(t)
	specPath := e2eSetup(t, r)
	bin := filepath.Join(t.TempDir(), "wsbuild")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building wsbuild: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "build", "-f", specPath, "--push", "--progress", "plain")
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
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("wsbuild after SIGINT: %v, want exit code 1\n%s", err, strings.Join(seen[max(0, len(seen)-10):], "\n"))
	}
	stateDir := filepath.Join(os.Getenv("WSBUILD_CACHE_DIR"), "buildkitd")
	if out, _ := exec.Command("pgrep", "-f", stateDir).Output(); len(out) > 0 {
		t.Errorf("buildkitd still running after SIGINT: pids %s", out)
		for _, pid := range strings.Fields(string(out)) {
			_ = exec.Command("kill", "-9", pid).Run()
		}
	}
	for _, image := range []string{"python", "tools"} {
		ref, err := name.ParseReference(r.Registry+"/e2e/"+image+":latest", name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := remote.Head(ref); err == nil {
			t.Errorf("%s was tagged by an interrupted build", ref)
		}
	}
}
