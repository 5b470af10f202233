//go:build linux

package proc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsbuild/wsbuild/internal/testenv"
)

// These tests run sh and sleep as children; they need nothing else and run
// under -short.

func TestStartAndStop(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	p, err := Start("sleep", []string{"60"}, WithPidFile(pidFile), WithLogFile(filepath.Join(dir, "log"), false))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(pidFile); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(p.Pid()) {
		t.Errorf("pid file holds %q (%v), want %d", b, err, p.Pid())
	}
	if !Alive(p.Pid()) {
		t.Fatalf("child %d not running", p.Pid())
	}
	if err := p.Stop(5 * time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-p.Done():
	default:
		t.Error("Done not closed after Stop")
	}
	if Alive(p.Pid()) {
		t.Errorf("child %d still running after Stop", p.Pid())
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left behind (stat: %v)", err)
	}
	if err := p.Stop(5 * time.Second); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestStopKillsGroupAfterGrace: a child that ignores SIGTERM is killed after
// the grace period, together with the processes it started.
func TestStopKillsGroupAfterGrace(t *testing.T) {
	dir := t.TempDir()
	grandchild := filepath.Join(dir, "grandchild.pid")
	script := `trap "" TERM; sleep 60 & echo $! > ` + grandchild + `; wait`
	var log testenv.SyncBuffer
	p, err := Start("sh", []string{"-c", script}, WithLog(&log))
	if err != nil {
		t.Fatal(err)
	}
	gpid := 0
	testenv.WaitFor(t, 5*time.Second, "the grandchild's pid", func() bool {
		b, _ := os.ReadFile(grandchild)
		gpid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return gpid > 0
	})
	start := time.Now()
	if err := p.Stop(300 * time.Millisecond); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("Stop returned after %s, before the grace period", d)
	}
	if !strings.Contains(log.String(), "still running 300ms after SIGTERM; killing it") {
		t.Errorf("log = %q, want the killing line", log.String())
	}
	testenv.WaitFor(t, 5*time.Second, "the grandchild to die with its group", func() bool { return !Alive(gpid) })
}

func TestWaitReady(t *testing.T) {
	for _, tc := range []struct {
		name    string
		script  string
		readyAt int // probe succeeds from this call on; 0: never
		timeout time.Duration
		cancel  bool
		wantErr []string // substrings; none: success
		wantIs  error
	}{
		{name: "ready on the third probe", script: "sleep 60", readyAt: 3, timeout: 10 * time.Second},
		{name: "exits before answering", script: "echo config is broken; exit 3", timeout: 10 * time.Second,
			wantErr: []string{"sh exited before answering (exit status 3)", "last lines of", "\tconfig is broken"}},
		{name: "never answers", script: "echo still starting; sleep 60", timeout: 300 * time.Millisecond,
			wantErr: []string{"sh did not answer within 300ms (last error: not yet)", "\tstill starting"}},
		{name: "caller gives up", script: "sleep 60", timeout: 10 * time.Second, cancel: true,
			wantErr: []string{"waiting for sh to answer"}, wantIs: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "log")
			p, err := Start("sh", []string{"-c", tc.script}, WithLogFile(logPath, false))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Stop(time.Second)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			err = p.WaitReady(ctx, tc.timeout, func(context.Context) error {
				calls++
				if tc.cancel && calls == 2 {
					cancel()
				}
				if tc.readyAt > 0 && calls >= tc.readyAt {
					return nil
				}
				return errors.New("not yet")
			})
			if len(tc.wantErr) == 0 {
				if err != nil || calls != tc.readyAt {
					t.Fatalf("WaitReady = %v after %d probes, want nil after %d", err, calls, tc.readyAt)
				}
				return
			}
			if err == nil {
				t.Fatalf("WaitReady = nil, want an error containing %q", tc.wantErr)
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v is not %v", err, tc.wantIs)
			}
		})
	}
}

func TestStopPidFile(t *testing.T) {
	matchSleep := func(cmd []byte) bool { return bytes.HasPrefix(cmd, []byte("sleep\x00")) }
	for _, tc := range []struct {
		name    string
		content func(t *testing.T) string // the pid file; "" for none
		match   func([]byte) bool
		stops   bool
		wantIs  error
	}{
		{name: "no pid file", match: matchSleep},
		{name: "garbage", content: func(*testing.T) string { return "not a pid\n" }, match: matchSleep},
		{name: "process gone", content: func(t *testing.T) string {
			p, err := Start("true", nil)
			if err != nil {
				t.Fatal(err)
			}
			<-p.Done()
			return strconv.Itoa(p.Pid()) + "\n"
		}, match: matchSleep},
		{name: "pid of another program", content: func(t *testing.T) string { return strconv.Itoa(os.Getpid()) }, match: matchSleep,
			wantIs: ErrNotOurs},
		{name: "detached child of an earlier run", content: func(t *testing.T) string {
			p, err := Start("sleep", []string{"60"}, WithDetached())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Stop(time.Second) })
			waitExeced(t, p.Pid(), matchSleep)
			return strconv.Itoa(p.Pid()) + "\n"
		}, match: matchSleep, stops: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.pid")
			want := 0
			if tc.content != nil {
				c := tc.content(t)
				if err := os.WriteFile(path, []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
				if tc.stops {
					want, _ = strconv.Atoi(strings.TrimSpace(c))
				}
			}
			pid, err := StopPidFile(path, 5*time.Second, tc.match)
			if tc.wantIs != nil {
				if !errors.Is(err, tc.wantIs) {
					t.Fatalf("StopPidFile error = %v, want %v", err, tc.wantIs)
				}
			} else if err != nil {
				t.Fatalf("StopPidFile: %v", err)
			}
			if pid != want {
				t.Errorf("StopPidFile stopped pid %d, want %d", pid, want)
			}
			if want > 0 && Alive(want) {
				t.Errorf("pid %d still running", want)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("pid file left behind (stat: %v)", err)
			}
		})
	}
	if !Alive(os.Getpid()) {
		t.Error("StopPidFile stopped the test itself")
	}
}

func TestLogTail(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log")
	log := "one\ntwo\nbuildkitd: boom\nmain.main\n\t/src/main.go:1\nruntime.goexit\n\t/src/asm.s:2\n"
	if err := os.WriteFile(p, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		n          int
		want       string // the whole result, or its start when it ends in "..."
	}{
		{"last lines, stack trace left out", p, 2, "\ttwo\n\tbuildkitd: boom"},
		{"fewer lines than asked", p, 10, "\tone\n\ttwo\n\tbuildkitd: boom"},
		{"no log", filepath.Join(t.TempDir(), "none"), 2, "\t(no log: ..."},
	} {
		got := LogTail(tc.path, tc.n)
		if prefix, ok := strings.CutSuffix(tc.want, "..."); got != tc.want && !(ok && strings.HasPrefix(got, prefix)) {
			t.Errorf("%s: LogTail = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestStartFails: what Start cannot do leaves no child behind.
func TestStartFails(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		bin     string
		opts    []Option
		wantErr string
	}{
		{"no such binary", filepath.Join(dir, "nope"), nil, `starting "` + filepath.Join(dir, "nope") + `"`},
		{"log file in a missing folder", "sleep", []Option{WithLogFile(filepath.Join(dir, "no", "log"), true)}, `opening the log of "sleep"`},
		{"pid file in a missing folder", "sleep", []Option{WithPidFile(filepath.Join(dir, "no", "pid"))}, `recording the pid of "sleep"`},
		{"empty pid file name", "sleep", []Option{WithPidFile("")}, "WithPidFile: empty path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Start(tc.bin, []string{"60"}, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				if p != nil {
					p.Stop(time.Second)
				}
				t.Fatalf("Start error = %v, want one containing %q", err, tc.wantErr)
			}
			if p != nil {
				t.Errorf("Start returned a process along with its error")
			}
		})
	}
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(os.Getpid()), "-x", "sleep").Output()
	if len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("sleep children left running: %s", out)
	}
}

// waitExeced waits until pid's command line is the new program's. Start
// returns once exec has closed the child's close-on-exec files, which the
// kernel does before it sets the new command line: for that moment
// /proc/<pid>/cmdline is empty, and StopPidFile would rightly call the
// process another program.
func waitExeced(t *testing.T, pid int, match func([]byte) bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil && match(b) {
			return
		}
	}
	t.Fatalf("pid %d never showed the expected command line", pid)
}

// TestExited: nil while the child runs; once it is killed, how it ended and
// the end of its log.
func TestExited(t *testing.T) {
	dir := t.TempDir()
	p, err := Start("sh", []string{"-c", "echo last words; exec sleep 60"}, WithLogFile(filepath.Join(dir, "log"), false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop(time.Second) })
	if err := p.Exited(); err != nil {
		t.Fatalf("Exited while running: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // let it write its line
	if err := syscall.Kill(p.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	err = p.Exited()
	if err == nil || !strings.Contains(err.Error(), "signal: killed") || !strings.Contains(err.Error(), "last words") {
		t.Errorf("Exited after SIGKILL = %v, want the signal and the log's end", err)
	}
}
