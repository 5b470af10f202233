package rig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Files the registry uses inside the rig folder.
const (
	registryConfigFile = "registry.yml"
	registryLogFile    = "registry.log"
	registryPidFile    = "registry.pid"
	registryStorage    = "registry"
)

const (
	readyTimeout = 30 * time.Second // for the registry to answer GET /v2/
	stopTimeout  = 10 * time.Second // between SIGTERM and SIGKILL, and after SIGKILL
)

// registry is a docker-registry process this package started.
type registry struct {
	pid     int
	addr    string
	logPath string
	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
}

// registryConfig returns a distribution 2.8 config: filesystem storage under dir, deletes
// allowed, no auth, listening on addr only.
func registryConfig(dir, addr string) []byte {
	return fmt.Appendf(nil, `# Written by wsbuild's internal/rig.
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: %s
  draintimeout: 2s
  headers:
    X-Content-Type-Options: [nosniff]
`, strconv.Quote(filepath.Join(dir, registryStorage)), addr)
}

// startRegistry writes the config into dir and starts `docker-registry serve` on addr,
// logging to dir/registry.log. A detached registry gets its own session and a pid file;
// an attached one is killed if this process dies.
func startRegistry(bin, dir, addr string, detached bool) (*registry, error) {
	cfg := filepath.Join(dir, registryConfigFile)
	if err := os.WriteFile(cfg, registryConfig(dir, addr), 0o644); err != nil {
		return nil, fmt.Errorf("writing the registry config: %w", err)
	}
	logPath := filepath.Join(dir, registryLogFile)
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the registry log: %w", err)
	}
	defer logFile.Close() // the child holds its own copy

	cmd := exec.Command(bin, "serve", cfg)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile // files, not pipes: no copying goroutines
	cmd.SysProcAttr = procAttr(detached)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %q: %w", bin, err)
	}
	r := &registry{pid: cmd.Process.Pid, addr: addr, logPath: logPath, done: make(chan struct{})}
	go func() {
		r.waitErr = cmd.Wait()
		close(r.done)
	}()
	if detached {
		pidPath := filepath.Join(dir, registryPidFile)
		if err := os.WriteFile(pidPath, []byte(strconv.Itoa(r.pid)+"\n"), 0o644); err != nil {
			_ = r.stop()
			return nil, fmt.Errorf("writing the registry pid file: %w", err)
		}
	}
	return r, nil
}

// waitReady waits until the registry answers GET /v2/, and fails early if it exits.
func (r *registry) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !registryAnswers(ctx, r.addr) {
		select {
		case <-r.done:
			return fmt.Errorf("registry on %q exited (%v): %s", r.addr, r.waitErr, logTail(r.logPath))
		case <-ctx.Done():
			return fmt.Errorf("waiting for the registry on %q: %w: %s", r.addr, ctx.Err(), logTail(r.logPath))
		case <-tick.C:
		}
	}
	return nil
}

// stop sends SIGTERM, then SIGKILL if the registry has not exited after stopTimeout.
func (r *registry) stop() error {
	select {
	case <-r.done:
		return nil
	default:
	}
	_ = syscall.Kill(r.pid, syscall.SIGTERM)
	select {
	case <-r.done:
		return nil
	case <-time.After(stopTimeout):
	}
	_ = syscall.Kill(r.pid, syscall.SIGKILL)
	select {
	case <-r.done:
		return fmt.Errorf("registry on %q ignored SIGTERM for %s and was killed", r.addr, stopTimeout)
	case <-time.After(stopTimeout):
		return fmt.Errorf("registry on %q (pid %d) survived SIGKILL", r.addr, r.pid)
	}
}

// Stop ends the detached registry whose pid file is in dir (SIGTERM, then SIGKILL after a
// timeout) and removes the pid file. It does nothing when there is no pid file or the
// process is gone, and refuses a pid that is no longer that registry.
func Stop(dir string) error {
	pidPath := filepath.Join(dir, registryPidFile)
	b, err := os.ReadFile(pidPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the registry pid file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return fmt.Errorf("reading the registry pid file %q: bad pid %q", pidPath, b)
	}
	if alive(pid) {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if !bytes.Contains(cmdline, []byte(filepath.Join(dir, registryConfigFile))) {
			return fmt.Errorf("stopping the registry of %q: pid %d is not that registry", dir, pid)
		}
		_ = syscall.Kill(pid, syscall.SIGTERM)
		if !waitGone(pid, stopTimeout) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			if !waitGone(pid, stopTimeout) {
				return fmt.Errorf("stopping the registry of %q: pid %d survived SIGKILL", dir, pid)
			}
		}
	}
	if err := os.Remove(pidPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the registry pid file: %w", err)
	}
	return nil
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

func waitGone(pid int, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if !alive(pid) {
			return true
		}
	}
	return !alive(pid)
}

// registryAnswers reports whether a registry answers GET http://addr/v2/.
func registryAnswers(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v2/", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized
}

// logTail returns the last lines of the registry log, for error messages.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "no log: " + err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return "log " + path + ": " + strings.Join(lines, " | ")
}
