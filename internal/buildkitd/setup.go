package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// installHint tells the user how to get a buildkitd matching the BuildKit
// library wsbuild is built with.
const installHint = "set " + EnvBinary + ", or build it from the wsbuild source tree, at the version its go.mod pins: " +
	"go build -o /usr/local/bin/ github.com/moby/buildkit/cmd/buildkitd; or run .ci/rig-setup.sh"

// lockRetryDelay is how often a waiting run retries the state lock.
const lockRetryDelay = 200 * time.Millisecond

// maxSocketPath is the longest unix socket path Linux accepts (sun_path is
// 108 bytes including the terminating NUL).
const maxSocketPath = 107

// findBinary resolves o.binary to the path of an executable buildkitd.
func findBinary(o *options) (string, error) {
	origin := ""
	if o.binaryEnv {
		origin = " (from " + EnvBinary + ")"
	}
	if !strings.ContainsRune(o.binary, filepath.Separator) {
		p, err := exec.LookPath(o.binary)
		if err != nil {
			return "", fmt.Errorf("%s not found on PATH%s (%s): %w", o.binary, origin, installHint, err)
		}
		return filepath.Abs(p)
	}
	fi, err := os.Stat(o.binary)
	if err != nil {
		return "", fmt.Errorf("buildkitd %q%s not found (%s): %w", o.binary, origin, installHint, err)
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("buildkitd %q%s is not an executable file (%s)", o.binary, origin, installHint)
	}
	return filepath.Abs(o.binary)
}

// checkRunc reports whether runc, which buildkitd's OCI worker runs build
// steps with, is on PATH.
func checkRunc() error {
	if _, err := exec.LookPath("runc"); err != nil {
		return fmt.Errorf("runc not found: apt-get install runc (buildkitd's OCI worker runs build steps with it): %w", err)
	}
	return nil
}

// acquireLock takes the exclusive lock on dir/lock. While another process
// holds it, it writes one waiting line to log and waits until the lock is
// free or ctx is done.
func acquireLock(ctx context.Context, dir string, log io.Writer) (*flock.Flock, error) {
	path := filepath.Join(dir, "lock")
	lock := flock.New(path, flock.SetPermissions(0o600))
	ok, err := lock.TryLock()
	if err == nil && !ok {
		fmt.Fprintf(log, "waiting for another wsbuild run to release %s\n", dir)
		ok, err = lock.TryLockContext(ctx, lockRetryDelay)
	}
	switch {
	case ctx.Err() != nil && !ok:
		return nil, fmt.Errorf("waiting for another wsbuild run to release %s: %w", dir, context.Cause(ctx))
	case err != nil:
		return nil, fmt.Errorf("locking %q: %w", path, err)
	}
	return lock, nil
}

// socketPath picks the daemon's unix socket: stateDir/buildkitd.sock when it
// fits in a socket address, else a socket in a fresh private temporary
// directory, returned as tmpDir for removal on stop.
func socketPath(stateDir string) (sock, tmpDir string, err error) {
	sock = filepath.Join(stateDir, "buildkitd.sock")
	if len(sock) <= maxSocketPath {
		return sock, "", nil
	}
	for _, parent := range []string{os.TempDir(), "/tmp"} {
		// "/wsbuild-bk-" + up to 10 random digits + "/buildkitd.sock"
		if len(parent)+len("/wsbuild-bk-0123456789/buildkitd.sock") > maxSocketPath {
			continue
		}
		tmpDir, err = os.MkdirTemp(parent, "wsbuild-bk-")
		if err != nil {
			return "", "", fmt.Errorf("making a directory for the buildkitd socket: %w", err)
		}
		return filepath.Join(tmpDir, "buildkitd.sock"), tmpDir, nil
	}
	return "", "", errors.New("no directory short enough for the buildkitd socket (set TMPDIR to a short path)")
}
