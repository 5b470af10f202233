package rig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/wsbuild/wsbuild/internal/proc"
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
	addr string
	proc *proc.Process
}

// registryConfig returns a distribution 2.8 config: filesystem storage under dir, deletes
// allowed, listening on addr only, with auth (a YAML auth: section) or none.
func registryConfig(dir, addr, auth string) []byte {
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
%s`, strconv.Quote(filepath.Join(dir, registryStorage)), addr, auth)
}

// startRegistry writes the config into dir and starts `docker-registry serve` on addr,
// logging to dir/registry.log. A detached registry gets its own session and a pid file;
// an attached one is stopped if this process dies.
func startRegistry(bin, dir, addr, auth string, detached bool) (*registry, error) {
	cfg := filepath.Join(dir, registryConfigFile)
	if err := os.WriteFile(cfg, registryConfig(dir, addr, auth), 0o644); err != nil {
		return nil, fmt.Errorf("writing the registry config: %w", err)
	}
	opts := []proc.Option{proc.WithDir(dir), proc.WithLogFile(filepath.Join(dir, registryLogFile), true)}
	if detached {
		opts = append(opts, proc.WithDetached(), proc.WithPidFile(filepath.Join(dir, registryPidFile)))
	}
	p, err := proc.Start(bin, []string{"serve", cfg}, opts...)
	if err != nil {
		return nil, fmt.Errorf("starting the registry on %q: %w", addr, err)
	}
	return &registry{addr: addr, proc: p}, nil
}

// waitReady waits until the registry answers GET /v2/, and fails early if it exits.
func (r *registry) waitReady(ctx context.Context) error {
	err := r.proc.WaitReady(ctx, readyTimeout, func(ctx context.Context) error {
		if !registryAnswers(ctx, r.addr) {
			return errors.New("GET /v2/ not answered")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("starting the registry on %q: %w", r.addr, err)
	}
	return nil
}

// stop sends SIGTERM, then SIGKILL if the registry has not exited after stopTimeout.
func (r *registry) stop() error { return r.proc.Stop(stopTimeout) }

// Stop ends the detached registry whose pid file is in dir (SIGTERM, then SIGKILL after a
// timeout) and removes the pid file. It does nothing when there is no pid file or the
// process is gone, and refuses a pid that is no longer that registry (removing the
// stale pid file).
func Stop(dir string) error {
	cfg := []byte(filepath.Join(dir, registryConfigFile))
	_, err := proc.StopPidFile(filepath.Join(dir, registryPidFile), stopTimeout,
		func(cmdline []byte) bool { return bytes.Contains(cmdline, cfg) })
	if err != nil {
		return fmt.Errorf("stopping the registry of %q: %w", dir, err)
	}
	return nil
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
