package buildkitd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wsbuild/wsbuild/internal/proc"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// These tests run the real buildkitd and runc; they are skipped under -short.

func TestConnectPrivateDaemon(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stateDir string
	}{
		{"short state dir", t.TempDir()},
		{"state dir too long for a socket", filepath.Join(t.TempDir(), strings.Repeat("s", 110))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := connectPrivate(t, context.Background(), tc.stateDir)
			sock := strings.TrimPrefix(conn.Addr(), "unix://")
			if _, err := os.Stat(sock); err != nil {
				t.Fatalf("socket of %s: %v", conn.Addr(), err)
			}
			assertOCIWorker(t, conn.Client())
			pid := conn.d.pid()
			if !proc.Alive(pid) {
				t.Fatalf("buildkitd pid %d not running", pid)
			}
			if err := conn.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			assertStopped(t, pid, sock, tc.stateDir)
			if conn.d.sockDir != "" {
				if _, err := os.Stat(conn.d.sockDir); !os.IsNotExist(err) {
					t.Errorf("socket dir %s still there", conn.d.sockDir)
				}
			}
			if err := conn.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func TestSecondRunWaitsForLock(t *testing.T) {
	bin := realBuildkitd(t)
	state := t.TempDir()
	first := connectPrivate(t, context.Background(), state)
	waiting := "waiting for another wsbuild run to release " + state

	// Given up while waiting: an error, the waiting line, nothing started.
	var log testenv.SyncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	_, err := Connect(ctx, WithAddr(""), WithStateDir(state), WithBinary(bin), WithLog(&log))
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Connect while locked, ctx timing out: err = %v, want deadline exceeded", err)
	}
	if !strings.Contains(log.String(), waiting) {
		t.Errorf("log = %q, want the waiting line", log.String())
	}

	// Waiting until the first run closes.
	type result struct {
		conn *Conn
		err  error
		at   time.Time
	}
	done := make(chan result, 1)
	var log2 testenv.SyncBuffer
	go func() {
		c, err := Connect(context.Background(), WithAddr(""), WithStateDir(state),
			WithBinary(bin), WithLog(&log2))
		done <- result{c, err, time.Now()}
	}()
	testenv.WaitFor(t, 10*time.Second, "the waiting line", func() bool { return strings.Contains(log2.String(), waiting) })
	select {
	case r := <-done:
		t.Fatalf("second Connect returned (err %v) while the first holds %s", r.err, state)
	case <-time.After(time.Second):
	}
	assertOCIWorker(t, first.Client()) // the first daemon is undisturbed
	closedAt := time.Now()
	if err := first.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(startTimeout + 5*time.Second):
		t.Fatal("second Connect did not proceed after the first Close")
	}
	if r.err != nil {
		t.Fatalf("second Connect: %v", r.err)
	}
	defer r.conn.Close()
	if !r.at.After(closedAt) {
		t.Errorf("second Connect returned at %v, before the first Close at %v", r.at, closedAt)
	}
	if n := strings.Count(log2.String(), "waiting for"); n != 1 {
		t.Errorf("waiting line logged %d times, want once: %q", n, log2.String())
	}
	assertOCIWorker(t, r.conn.Client())
}

func TestCancelStopsDaemon(t *testing.T) {
	for _, tc := range []struct {
		name        string
		closeAtOnce bool // Close right after cancel, as the CLI does
	}{
		{"cancel then Close", true},
		{"cancel alone", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			conn := connectPrivate(t, ctx, state)
			pid, sock := conn.d.pid(), strings.TrimPrefix(conn.Addr(), "unix://")
			cancel()
			if tc.closeAtOnce {
				if err := conn.Close(); err != nil {
					t.Fatalf("Close after cancel: %v", err)
				}
			} else {
				testenv.WaitFor(t, stopTimeout+5*time.Second, "buildkitd to stop after cancel", func() bool { return !proc.Alive(pid) })
				if err := conn.Close(); err != nil {
					t.Fatalf("Close after cancel: %v", err)
				}
			}
			assertStopped(t, pid, sock, state)
		})
	}
}

func TestWithAddrUsesRunningDaemon(t *testing.T) {
	running := connectPrivate(t, context.Background(), t.TempDir())
	for _, tc := range []struct {
		name string
		env  string // BUILDKIT_HOST
		opts []Option
	}{
		{"WithAddr", "", []Option{WithAddr(running.Addr())}},
		{"BUILDKIT_HOST", running.Addr(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvHost, tc.env)
			state := t.TempDir()
			// A binary that does not exist: starting a daemon would fail.
			opts := append([]Option{WithStateDir(state), WithBinary("/nonexistent/buildkitd")}, tc.opts...)
			conn, err := Connect(context.Background(), opts...)
			if err != nil {
				t.Fatalf("Connect: %v", err)
			}
			if conn.Addr() != running.Addr() || conn.d != nil {
				t.Errorf("Connect gave addr %q, own daemon %v; want %q and none", conn.Addr(), conn.d != nil, running.Addr())
			}
			assertOCIWorker(t, conn.Client())
			if err := conn.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if ents, _ := os.ReadDir(state); len(ents) != 0 {
				t.Errorf("state dir used: %v", ents)
			}
			assertOCIWorker(t, running.Client()) // closing did not stop it
		})
	}
}

func TestDaemonExitsEarly(t *testing.T) {
	state := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "buildkitd.toml")
	if err := os.WriteFile(cfg, []byte("this is [ not toml\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Connect(context.Background(), WithAddr(""), WithStateDir(state),
		WithBinary(realBuildkitd(t)), WithConfig(cfg))
	wantErr(t, err, "buildkitd exited before answering", filepath.Join(state, "buildkitd.log"), "toml")
	sock := filepath.Join(state, "buildkitd.sock")
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket %s left behind", sock)
	}
	assertUnlocked(t, state)
}

func TestOrphanDaemonIsStopped(t *testing.T) {
	state := t.TempDir()
	orphan := connectPrivate(t, context.Background(), state)
	pid := orphan.d.pid()
	// Simulate a run that died without stopping its daemon: drop the lock only.
	if err := orphan.d.lock.Close(); err != nil {
		t.Fatal(err)
	}
	orphan.d.lock = nil

	var log testenv.SyncBuffer
	conn := connectPrivate(t, context.Background(), state, WithLog(&log))
	if !strings.Contains(log.String(), "left running by an earlier wsbuild run") {
		t.Errorf("log = %q, want a line about the leftover daemon", log.String())
	}
	testenv.WaitFor(t, 5*time.Second, "the leftover buildkitd to be gone", func() bool { return !proc.Alive(pid) })
	if conn.d.pid() == pid {
		t.Fatal("new Connect reused the leftover daemon")
	}
	assertOCIWorker(t, conn.Client())
	if err := conn.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	orphan.Close() // already stopped; releases its client
}

// helperEnv, when set to a state dir, makes the test binary act as a wsbuild
// run that connects and then hangs until it is killed (see TestMain).
const helperEnv = "WSBUILD_TEST_BUILDKITD_HELPER"

// TestMain runs the tests, or, when helperEnv is set, acts as the helper
// process TestDaemonDiesWithWsbuild starts and kills.
func TestMain(m *testing.M) {
	if state := os.Getenv(helperEnv); state != "" {
		conn, err := Connect(context.Background(), WithAddr(""), WithStateDir(state), WithBinary(os.Getenv(EnvBinary)))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("pid=%d\n", conn.d.pid())
		select {}
	}
	os.Exit(m.Run())
}

func TestDaemonDiesWithWsbuild(t *testing.T) {
	bin := realBuildkitd(t)
	state := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+state, EnvBinary+"="+bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	pid := 0
	for sc := bufio.NewScanner(out); pid == 0 && sc.Scan(); {
		fmt.Sscanf(sc.Text(), "pid=%d", &pid)
	}
	if pid == 0 || !proc.Alive(pid) {
		t.Fatalf("helper did not start buildkitd (pid %d)", pid)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to Close
		t.Fatal(err)
	}
	testenv.WaitFor(t, stopTimeout+5*time.Second, "buildkitd to die with the process that started it", func() bool { return !proc.Alive(pid) })
	assertUnlocked(t, state)
}
