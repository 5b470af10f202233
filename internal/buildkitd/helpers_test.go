package buildkitd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/moby/buildkit/client"
	"github.com/wsbuild/wsbuild/internal/proc"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// realBuildkitd returns the buildkitd binary the daemon tests run: the
// WSBUILD_BUILDKITD environment variable, else buildkitd on PATH. Those tests
// are left out only where testenv allows.
func realBuildkitd(t *testing.T) string {
	t.Helper()
	testenv.NeedsRealRig(t)
	o, err := resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := findBinary(o)
	if err == nil {
		err = checkRunc()
	}
	if err != nil {
		t.Fatalf("%v (or run .ci/rig-setup.sh)", err)
	}
	return bin
}

// connectPrivate starts a private daemon on stateDir and closes it at the
// end of the test.
func connectPrivate(t *testing.T, ctx context.Context, stateDir string, opts ...Option) *Conn {
	t.Helper()
	opts = append([]Option{WithAddr(""), WithStateDir(stateDir), WithBinary(realBuildkitd(t))}, opts...)
	conn, err := Connect(ctx, opts...)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// assertOCIWorker checks the daemon behind c lists an OCI worker.
func assertOCIWorker(t *testing.T, c *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := c.ListWorkers(ctx)
	if err != nil {
		t.Fatalf("ListWorkers: %v", err)
	}
	for _, w := range ws {
		if w.Labels["org.mobyproject.buildkit.worker.executor"] == "oci" {
			return
		}
	}
	t.Fatalf("ListWorkers returned no oci worker: %+v", ws)
}

// assertStopped checks the daemon with this pid is gone and its socket,
// pid file and lock were released.
func assertStopped(t *testing.T, pid int, sock, stateDir string) {
	t.Helper()
	if pid <= 0 {
		t.Fatalf("bad pid %d", pid)
	}
	if proc.Alive(pid) {
		t.Errorf("buildkitd pid %d still running", pid)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket %s still there (stat: %v)", sock, err)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "buildkitd.pid")); !os.IsNotExist(err) {
		t.Errorf("pid file still there (stat: %v)", err)
	}
	assertUnlocked(t, stateDir)
}

// assertUnlocked checks nobody holds stateDir/lock.
func assertUnlocked(t *testing.T, stateDir string) {
	t.Helper()
	lock := flock.New(filepath.Join(stateDir, "lock"))
	defer lock.Close()
	ok, err := lock.TryLock()
	if err != nil || !ok {
		t.Errorf("state lock still held (ok=%v, err=%v)", ok, err)
	}
}

// wantErr checks err is non-nil and contains every one of subs.
func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}
