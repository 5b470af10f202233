package buildkitd

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// These tests need no buildkitd and also run under -short.

func TestResolveDefaults(t *testing.T) {
	cache := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "buildkitd.toml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv(EnvHost, "tcp://example:1234")
	t.Setenv(EnvBinary, "/opt/bk/buildkitd")
	t.Setenv(EnvConfig, cfg)

	o, err := resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != "tcp://example:1234" {
		t.Errorf("addr = %q, want BUILDKIT_HOST", o.addr)
	}
	o, err = resolve([]Option{WithAddr("")})
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != "" || o.stateDir != filepath.Join(cache, "wsbuild", "buildkitd") ||
		o.binary != "/opt/bk/buildkitd" || !o.binaryEnv || o.config != cfg {
		t.Errorf("defaults = %+v", o)
	}
	o, err = resolve([]Option{WithAddr(""), WithConfig(""), WithBinary("bk"), WithStateDir("rel")})
	if err != nil {
		t.Fatal(err)
	}
	if o.config != "" || o.binary != "bk" || o.binaryEnv || !filepath.IsAbs(o.stateDir) {
		t.Errorf("overrides = %+v", o)
	}
	for _, bad := range []Option{WithStateDir(""), WithBinary(""), WithConfig("/nonexistent/buildkitd.toml")} {
		if _, err := resolve([]Option{WithAddr(""), bad}); err == nil {
			t.Errorf("resolve accepted a bad option")
		}
	}
}

func TestSocketPath(t *testing.T) {
	short := t.TempDir()
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	for _, tc := range []struct {
		name, stateDir string
		inState        bool
	}{
		{"short state dir", short, true},
		{"long state dir", long, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sock, tmp, err := socketPath(tc.stateDir)
			if err != nil {
				t.Fatal(err)
			}
			if tmp != "" {
				defer os.RemoveAll(tmp)
			}
			if len(sock) > maxSocketPath {
				t.Errorf("socket path %q is %d bytes", sock, len(sock))
			}
			if got := sock == filepath.Join(tc.stateDir, "buildkitd.sock"); got != tc.inState {
				t.Errorf("socket %q in state dir = %v, want %v", sock, got, tc.inState)
			}
			if !tc.inState && (tmp == "" || filepath.Dir(sock) != tmp) {
				t.Errorf("socket %q not in fresh dir %q", sock, tmp)
			}
		})
	}
}

func TestMissingBinary(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string // WSBUILD_BUILDKITD
		opts []Option
		want []string
	}{
		{"not on PATH", "", nil, []string{"buildkitd not found on PATH", "set WSBUILD_BUILDKITD", "go build", ".ci/rig-setup.sh"}},
		{"WithBinary", "", []Option{WithBinary("/nonexistent/buildkitd")}, []string{`"/nonexistent/buildkitd"`, "go build", ".ci/rig-setup.sh"}},
		{"from env", "/nonexistent/bk", nil, []string{`"/nonexistent/bk" (from WSBUILD_BUILDKITD)`, ".ci/rig-setup.sh"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv(EnvBinary, tc.env)
			state := t.TempDir()
			opts := append([]Option{WithAddr(""), WithStateDir(state)}, tc.opts...)
			_, err := Connect(context.Background(), opts...)
			wantErr(t, err, tc.want...)
			if _, err := os.Stat(filepath.Join(state, "lock")); !os.IsNotExist(err) {
				t.Errorf("state dir was touched before the binary was found")
			}
		})
	}
}

func TestMissingRunc(t *testing.T) {
	// A stand-in executable: the runc check comes before buildkitd is run,
	// so it never runs (if it did, the error would lack the runc hint).
	bin := filepath.Join(t.TempDir(), "buildkitd")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	_, err := Connect(context.Background(), WithAddr(""), WithStateDir(t.TempDir()), WithBinary(bin))
	wantErr(t, err, "runc not found: apt-get install runc")
}

func TestAddrNotAnswering(t *testing.T) {
	addr := "unix://" + filepath.Join(t.TempDir(), "nobody.sock")
	_, err := Connect(context.Background(), WithAddr(addr))
	wantErr(t, err, `buildkitd at "`+addr+`" does not answer`)
}

// TestLockTakesTurns: a second run waits for the first to release the state
// lock, saying so once, and gives up when its context is done.
func TestLockTakesTurns(t *testing.T) {
	dir := t.TempDir()
	waiting := "waiting for another wsbuild run to release " + dir
	first, err := acquireLock(context.Background(), dir, io.Discard)
	if err != nil {
		t.Fatalf("first acquireLock: %v", err)
	}

	var log testenv.SyncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := acquireLock(ctx, dir, &log); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), waiting) {
		t.Errorf("acquireLock while held, ctx timing out: err = %v, want %q and deadline exceeded", err, waiting)
	}
	if n := strings.Count(log.String(), waiting); n != 1 {
		t.Errorf("waiting line logged %d times, want once: %q", n, log.String())
	}

	type result struct {
		lock *flock.Flock
		err  error
		at   time.Time
	}
	done := make(chan result, 1)
	go func() {
		l, err := acquireLock(context.Background(), dir, io.Discard)
		done <- result{l, err, time.Now()}
	}()
	select {
	case r := <-done:
		t.Fatalf("second acquireLock returned (err %v) while the first holds the lock", r.err)
	case <-time.After(500 * time.Millisecond):
	}
	releasedAt := time.Now()
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("second acquireLock did not proceed after the first released the lock")
	}
	if r.err != nil {
		t.Fatalf("second acquireLock: %v", r.err)
	}
	if r.at.Before(releasedAt) {
		t.Errorf("second acquireLock returned at %v, before the release at %v", r.at, releasedAt)
	}
	if other, err := flock.New(filepath.Join(dir, "lock")).TryLock(); other || err != nil {
		t.Errorf("lock free while the second run holds it (ok=%v, err=%v)", other, err)
	}
	if err := r.lock.Unlock(); err != nil {
		t.Fatal(err)
	}
	assertUnlocked(t, dir)
}
