package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/templates"
)

// rigEnv is the real parts both sides build against: the rig's registry,
// the counting proxy in front of it, and one buildkitd, restarted on a fresh
// state folder when a side needs a cold cache.
type rigEnv struct {
	rig      *rig.Rig
	proxy    *countingProxy
	config   string // buildkitd.toml: the rig's, plus the proxy as a plain-HTTP registry
	buildctl string
	dir      string
	log      io.Writer

	bk      *buildkitd.Conn
	started int // daemons started so far, naming their state folders
}

// startEnv starts the registry (from the rig cache) and the proxy under
// dir; freshDaemon starts buildkitd.
func startEnv(ctx context.Context, dir, cache string, log io.Writer) (_ *rigEnv, err error) {
	r, err := rig.Start(ctx, rig.WithDir(filepath.Join(dir, "rig")), rig.WithCache(cache))
	if err != nil {
		return nil, fmt.Errorf("starting the rig from %q: %w", cache, err)
	}
	e := &rigEnv{rig: r, dir: dir, log: log, buildctl: filepath.Join(filepath.Dir(r.Buildkitd), "buildctl")}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close())
		}
	}()
	if _, err := os.Stat(e.buildctl); err != nil {
		return nil, fmt.Errorf("buildctl next to the rig's buildkitd: %w (run .ci/rig-setup.sh)", err)
	}
	if e.proxy, err = startProxy(r.Registry); err != nil {
		return nil, err
	}
	if e.config, err = writeConfig(dir, r.BuildkitdConfig, e.proxy.Addr, r.Registry); err != nil {
		return nil, err
	}
	return e, nil
}

// writeConfig writes dir/buildkitd.toml: the rig's config, plus the proxy
// as a plain-HTTP registry and the rig's registry as the mirror of ghcr.io
// (for the uv image the plan scenario's stand-in serves).
func writeConfig(dir, rigConfig, proxy, registry string) (string, error) {
	b, err := os.ReadFile(rigConfig)
	if err != nil {
		return "", fmt.Errorf("reading the rig's buildkitd config: %w", err)
	}
	b = fmt.Appendf(b, "\n# Added by wsbuild's bench: the counting proxy in front of the registry.\n"+
		"[registry.%s]\n  http = true\n  insecure = true\n\n"+
		"[registry.\"ghcr.io\"]\n  mirrors = [%s]\n", strconv.Quote(proxy), strconv.Quote(registry))
	path := filepath.Join(dir, "buildkitd.toml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return "", fmt.Errorf("writing %q: %w", path, err)
	}
	return path, nil
}

// freshDaemon stops the running buildkitd, if any, removes its state and
// starts a new one on an empty state folder: a cold cache.
func (e *rigEnv) freshDaemon(ctx context.Context) error {
	if err := e.stopDaemon(); err != nil {
		return err
	}
	e.started++
	state := filepath.Join(e.dir, fmt.Sprintf("bk%d", e.started))
	conn, err := buildkitd.Connect(ctx, buildkitd.WithAddr(""), buildkitd.WithStateDir(state),
		buildkitd.WithBinary(e.rig.Buildkitd), buildkitd.WithConfig(e.config), buildkitd.WithLog(e.log))
	if err != nil {
		return fmt.Errorf("starting buildkitd on %q: %w", state, err)
	}
	e.bk = conn
	fmt.Fprintf(e.log, "bench: buildkitd on %s (state %s)\n", conn.Addr(), state)
	return nil
}

// ensureDaemon starts a buildkitd unless one runs.
func (e *rigEnv) ensureDaemon(ctx context.Context) error {
	if e.bk != nil {
		return nil
	}
	return e.freshDaemon(ctx)
}

// stopDaemon stops the running buildkitd and removes its state folder.
func (e *rigEnv) stopDaemon() error {
	if e.bk == nil {
		return nil
	}
	err := e.bk.Close()
	e.bk = nil
	state := filepath.Join(e.dir, fmt.Sprintf("bk%d", e.started))
	return errors.Join(err, os.RemoveAll(state))
}

// Addr is the running buildkitd's address.
func (e *rigEnv) Addr() string { return e.bk.Addr() }

// Registry is the host both sides push to and pull from: the proxy.
func (e *rigEnv) Registry() string { return e.proxy.Addr }

// pushUVStandIn copies the rig's Debian base to the rig's registry as the
// uv image (reached through the ghcr.io mirror), so that a plan whose images
// take Python from uv resolves offline. Planning reads only the config.
func (e *rigEnv) pushUVStandIn(ctx context.Context) error {
	src, err := name.ParseReference(rig.BaseRef(e.rig.Registry), name.Insecure)
	if err != nil {
		return err
	}
	repoTag := strings.TrimPrefix(templates.UVImage, "ghcr.io/")
	dst, err := name.ParseReference(e.rig.Registry+"/"+repoTag, name.Insecure)
	if err != nil {
		return err
	}
	img, err := remote.Image(src, remote.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("reading %q: %w", src, err)
	}
	if err := remote.Write(dst, img, remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("pushing the uv stand-in %q: %w", dst, err)
	}
	return nil
}

// Close stops buildkitd, the proxy and the registry.
func (e *rigEnv) Close() error {
	var errs []error
	errs = append(errs, e.stopDaemon())
	if e.proxy != nil {
		errs = append(errs, e.proxy.Close())
	}
	errs = append(errs, e.rig.Close())
	return errors.Join(errs...)
}

// rigBuildkitVersion is the BuildKit version .ci/rig-setup.sh built the
// rig's binaries at.
func rigBuildkitVersion(e *rigEnv) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(e.rig.Buildkitd), "buildkit.version"))
	if err != nil {
		return "version unknown"
	}
	return strings.TrimSpace(string(b))
}
