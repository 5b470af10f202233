package main

import (
	"context"
	"debug/elf"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbuild/wsbuild/internal/probe"
)

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// probeBinary builds the probe once, as the Makefile does, and returns its path.
func probeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wsbuild-probe-test")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, probe.Binary)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		buildErr = probe.Build(ctx, "", built, "")
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func TestMain(m *testing.M) {
	if os.Getenv(fakeEnv) != "" {
		os.Exit(fakeServices())
	}
	code := m.Run()
	if built != "" {
		os.RemoveAll(filepath.Dir(built))
	}
	os.Exit(code)
}

func TestStaticBinary(t *testing.T) {
	f, err := elf.Open(probeBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the probe has a PT_INTERP program header: it is dynamically linked")
		}
		if p.Type == elf.PT_DYNAMIC {
			t.Errorf("the probe has a PT_DYNAMIC program header")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Errorf("the probe needs shared libraries %v", libs)
	}
	if f.Type != elf.ET_EXEC {
		t.Errorf("ELF type %v, want ET_EXEC (a static executable)", f.Type)
	}
	fi, _ := os.Stat(probeBinary(t))
	t.Logf("probe is %d bytes", fi.Size())
}

func TestCrossBuild(t *testing.T) {
	arch := "arm64"
	if runtime.GOARCH == "arm64" {
		arch = "amd64"
	}
	out := filepath.Join(t.TempDir(), "probe")
	if err := probe.Build(context.Background(), "", out, arch); err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}[arch]
	if f.Machine != want {
		t.Errorf("built for %s, machine is %v, want %v", arch, f.Machine, want)
	}
}

// run runs the built probe with args and env and returns its exit status
// and output.
func run(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(probeBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestBinary(t *testing.T) {
	jupyter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "token check-token" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Write([]byte(`{"default": "python3", "kernelspecs": {"python3": {}}}`))
	}))
	defer jupyter.Close()
	_, port, _ := net.SplitHostPort(jupyter.Listener.Addr().String())
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	_, closed, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	self := filepath.Base(os.Args[0]) // this test binary is a running process
	if len(self) > 15 {
		self = self[:15]
	}
	token := []string{"JUPYTER_TOKEN=check-token"}

	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"proves", token, []string{"jupyter:" + port + ":python3", "process:" + self}, 0,
			[]string{"ok jupyter:" + port + ":python3: ", "ok process:" + self + ": running: " + self + " (pid " + strconv.Itoa(os.Getpid())}},
		{"fails every service", token, []string{"--timeout", "1s", "jupyter:" + port + ":ir", "vnc:" + closed}, 1,
			[]string{"FAIL jupyter:" + port + ":ir: kernels ir not offered (offered: python3)", "FAIL vnc:" + closed + ": no VNC password",
				"2 of 2 failed: jupyter:" + port + ":ir vnc:" + closed}},
		{"usage", nil, nil, 2, []string{"usage:", "exit status: 0 all proven"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := run(t, tc.env, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d:\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}

	dir := t.TempDir()
	code, out := run(t, nil, "keygen", dir)
	if code != 0 || !strings.HasPrefix(out, "ssh-ed25519 ") {
		t.Errorf("keygen: exit %d, output %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "id_ed25519")); err != nil {
		t.Errorf("keygen wrote no key: %v", err)
	}
}
