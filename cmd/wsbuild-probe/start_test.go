package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// startScript is the check's driver, relative to this package.
const startScript = "../../templates/files/checks/start.sh"

// fakeEnv makes this test binary, started by start.sh as the entrypoint's
// command, serve a fake Jupyter and sshd with the credentials start.sh
// handed the entrypoint (see fakeServices).
const fakeEnv = "WSBUILD_PROBE_TEST_FAKE"

// fakeServices serves Jupyter on $FAKE_JUPYTER_PORT, checking
// $JUPYTER_TOKEN, and an sshd on $FAKE_SSH_PORT that lets in
// $SSH_AUTHORIZED_KEYS; it writes its pid to $FAKE_PIDFILE. With FAKE_EXIT
// set it dies with that status instead.
func fakeServices() int {
	os.WriteFile(os.Getenv("FAKE_PIDFILE"), []byte(strconv.Itoa(os.Getpid())), 0o644)
	// A background program of the entrypoint, in its process group, as
	// Xvfb is when the desktop starts without supervisord.
	child := exec.Command("sleep", "300")
	if err := child.Start(); err == nil {
		os.WriteFile(os.Getenv("FAKE_PIDFILE")+".child", []byte(strconv.Itoa(child.Process.Pid)), 0o644)
	}
	if code := os.Getenv("FAKE_EXIT"); code != "" {
		fmt.Fprintln(os.Stderr, "fake: dying")
		n, _ := strconv.Atoi(code)
		return n
	}
	token := os.Getenv("JUPYTER_TOKEN")
	jl, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("FAKE_JUPYTER_PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go http.Serve(jl, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" || r.Header.Get("Authorization") != "token "+token {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Write([]byte(`{"kernelspecs": {"python3": {}}}`))
	}))
	authorized, _, _, _, err := ssh.ParseAuthorizedKey([]byte(os.Getenv("SSH_AUTHORIZED_KEYS")))
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake: SSH_AUTHORIZED_KEYS:", err)
		return 1
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	hostKey, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if bytes.Equal(k.Marshal(), authorized.Marshal()) {
			return nil, nil
		}
		return nil, fmt.Errorf("unknown key")
	}}
	cfg.AddHostKey(hostKey)
	sl, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("FAKE_SSH_PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "fake: serving")
	for {
		c, err := sl.Accept()
		if err != nil {
			return 1
		}
		go serveSSH(c, cfg)
	}
}

func serveSSH(c net.Conn, cfg *ssh.ServerConfig) {
	defer c.Close()
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		for r := range creqs {
			r.Reply(r.Type == "exec", nil)
			if r.Type == "exec" {
				fmt.Fprintf(ch, "%d\n", os.Getuid())
				ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, 0))
				ch.Close()
			}
		}
	}
}

// alive reports whether pid runs and is not a zombie waiting to be reaped.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func TestStartScript(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Fatalf("start.sh needs setsid (util-linux): %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A stand-in for wsbuild-init: it execs the command, as the real one
	// does after its init.d scripts.
	initDir := t.TempDir()
	fakeInit := filepath.Join(initDir, "wsbuild-init")
	os.WriteFile(fakeInit, []byte("#!/bin/sh\necho \"fake-init: starting $*\"\nexec \"$@\"\n"), 0o755)

	for _, tc := range []struct {
		name     string
		services func(jup, ssh string) []string
		env      []string
		code     int
		want     []string
		quick    bool // ends well before the 20s probe timeout
	}{
		{"proven", func(jup, sshp string) []string { return []string{"jupyter:" + jup + ":python3", "sshd:" + sshp} }, nil, 0,
			[]string{"ok jupyter:", "ok sshd:", fmt.Sprintf("`id -u` = %d", os.Getuid()), "start.sh: every service proven"}, true},
		{"a service is missing", func(jup, _ string) []string { return []string{"jupyter:" + jup, "novnc:" + freePort(t)} }, nil, 1,
			[]string{"ok jupyter:", "FAIL novnc:", "start.sh: FAIL: wsbuild-probe failed", "  | fake-init: starting", "  | fake: serving"}, false},
		{"the entrypoint dies", func(jup, _ string) []string { return []string{"jupyter:" + jup} }, []string{"FAKE_EXIT=3"}, 1,
			[]string{"the entrypoint exited with status 3 before every service was proven", "  | fake: dying"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp, pidfile := t.TempDir(), filepath.Join(t.TempDir(), "pid")
			jup, sshp := freePort(t), freePort(t)
			timeout := "20s"
			if !tc.quick {
				timeout = "2s"
			}
			args := append(tc.services(jup, sshp), "--", self)
			cmd := exec.Command("/bin/sh", append([]string{startScript}, args...)...)
			cmd.Env = append(os.Environ(), "PROBE="+probeBinary(t), "WSBUILD_INIT="+fakeInit, "PROBE_TIMEOUT="+timeout,
				"TMPDIR="+tmp, "HOME="+tmp, fakeEnv+"=1", "FAKE_JUPYTER_PORT="+jup, "FAKE_SSH_PORT="+sshp, "FAKE_PIDFILE="+pidfile)
			cmd.Env = append(cmd.Env, tc.env...)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if tc.quick && took > 15*time.Second {
				t.Errorf("took %s, want it to end before the probe's timeout", took)
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
			for _, f := range []string{pidfile, pidfile + ".child"} {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatalf("the command never ran: %v", err)
				}
				pid, _ := strconv.Atoi(string(b))
				// start.sh ends once it sent SIGKILL; on a loaded machine the
				// process may take a moment to act on it.
				for deadline := time.Now().Add(5 * time.Second); alive(pid) && time.Now().Before(deadline); {
					time.Sleep(50 * time.Millisecond)
				}
				if alive(pid) {
					syscall.Kill(pid, syscall.SIGKILL)
					t.Errorf("%s: pid %d still runs after start.sh ended", filepath.Base(f), pid)
				}
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("start.sh left %v in TMPDIR", left)
			}
		})
	}
}

func TestStartScriptUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no probe", []string{"PROBE=/nonexistent"}, []string{"jupyter:8888"}, "no probe at /nonexistent (set PROBE)"},
		{"no entrypoint", []string{"WSBUILD_INIT=/nonexistent"}, []string{"jupyter:8888"}, "no entrypoint at /nonexistent"},
		{"no service", nil, []string{"--", "true"}, "no service to prove"},
		{"no command", []string{"WSBUILD_START_CMD="}, []string{"jupyter:8888"}, "no command: give one after -- or in WSBUILD_START_CMD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("/bin/sh", append([]string{startScript}, tc.args...)...)
			cmd.Env = append(os.Environ(), "PROBE="+probeBinary(t), "WSBUILD_INIT=/bin/true", "HOME="+t.TempDir(),
				"WSBUILD_SUPERVISORD_CONF=/nonexistent/supervisord.conf")
			cmd.Env = append(cmd.Env, tc.env...)
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
				t.Errorf("start.sh %v: %v, output %q; want exit 2 and %q", tc.args, err, out, tc.want)
			}
		})
	}
}
