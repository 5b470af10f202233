// Package rig starts the real parts that wsbuild's integration tests and demo build
// against: a local registry process (Debian's docker-registry, distribution 2.8) that
// serves a Debian bookworm base image as 127.0.0.1:PORT/library/debian:bookworm, and a
// buildkitd.toml that lets a buildkitd pull from that registry over plain HTTP and use it
// as the docker.io mirror, so specs can keep saying "debian:bookworm".
//
// Nothing here is downloaded at run time: the buildkitd binary and the Debian root
// filesystem tarball come from a cache folder that .ci/rig-setup.sh fills. When they are
// missing, Start fails with an error wrapping ErrNotSetUp.
package rig

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// ErrNotSetUp is wrapped by the errors of Start when a prerequisite made by
// .ci/rig-setup.sh (the base tarball, the buildkitd binary, docker-registry) is missing.
var ErrNotSetUp = errors.New("rig prerequisites missing: run .ci/rig-setup.sh as root")

// BaseRepo is the repository, relative to the rig's registry, that holds the base image;
// it is pushed with the tag "bookworm".
const BaseRepo = "library/debian"

// Rig is a running registry and the files that point buildkitd at it.
type Rig struct {
	// Registry is the registry's address, "127.0.0.1:PORT".
	Registry string
	// BuildkitdConfig is the path of the generated buildkitd.toml.
	BuildkitdConfig string
	// Buildkitd is the path of the buildkitd binary built by .ci/rig-setup.sh.
	Buildkitd string
	// Dir holds the registry's storage, config, log and pid file, and buildkitd.toml.
	Dir string

	reg       *registry // the attached registry process; nil when detached or reused
	removeDir bool      // Start created Dir, so Close removes it
	closeOnce sync.Once
	closeErr  error
}

// Option configures Start.
type Option func(*options) error

type options struct {
	dir      string
	port     int
	cache    string
	detached bool
}

// WithDir puts the rig's files in dir, creating it when needed; Close then leaves dir in
// place. Default: a new temporary folder that Close removes.
func WithDir(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("WithDir: empty folder name")
		}
		o.dir = dir
		return nil
	}
}

// WithPort makes the registry listen on 127.0.0.1:port. Default: a free port, found by
// listening on 127.0.0.1:0.
func WithPort(port int) Option {
	return func(o *options) error {
		if port <= 0 || port > 65535 {
			return fmt.Errorf("WithPort: %d is not a TCP port", port)
		}
		o.port = port
		return nil
	}
}

// WithCache names the folder that .ci/rig-setup.sh filled (bin/buildkitd,
// debian-bookworm.tar). Default: CacheDir().
func WithCache(rigDir string) Option {
	return func(o *options) error {
		if rigDir == "" {
			return errors.New("WithCache: empty folder name")
		}
		o.cache = rigDir
		return nil
	}
}

// WithDetached starts the registry in its own session so that it outlives the calling
// process, records its pid in Dir/registry.pid, and reuses a registry that already answers
// on the port instead of starting one. Close then leaves the registry running; Stop ends
// it. Default: the registry is a child process that Close stops.
func WithDetached() Option {
	return func(o *options) error {
		o.detached = true
		return nil
	}
}

// CacheDir returns the default cache folder: $RIG_DIR when set, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/wsbuild-rig, the same rule as .ci/rig-setup.sh.
func CacheDir() string {
	if d := os.Getenv("RIG_DIR"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = filepath.Join(os.TempDir(), ".cache")
	}
	return filepath.Join(base, "wsbuild-rig")
}

// Start starts a registry, pushes the cached Debian tarball to it as
// Registry/library/debian:bookworm unless that tag is already there, and writes
// Dir/buildkitd.toml. The caller must Close the returned Rig.
func Start(ctx context.Context, opts ...Option) (_ *Rig, err error) {
	o := options{}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.cache == "" {
		o.cache = CacheDir()
	}
	pre, err := findPrereqs(o.cache)
	if err != nil {
		return nil, err
	}

	r := &Rig{Buildkitd: pre.buildkitd, Dir: o.dir}
	if r.Dir == "" {
		if r.Dir, err = os.MkdirTemp("", "wsbuild-rig-"); err != nil {
			return nil, fmt.Errorf("creating the rig folder: %w", err)
		}
		r.removeDir = true
	} else if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the rig folder %q: %w", r.Dir, err)
	}
	var started *registry // whatever Start launched, to stop again if Start fails
	defer func() {
		if err != nil {
			if started != nil {
				_ = started.stop()
			}
			if r.removeDir {
				_ = os.RemoveAll(r.Dir)
			}
		}
	}()

	if o.port == 0 {
		if o.port, err = freePort(); err != nil {
			return nil, err
		}
	}
	r.Registry = net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port))

	switch answers := registryAnswers(ctx, r.Registry); {
	case answers && o.detached:
		// Reuse it (rig up run twice).
	case answers:
		return nil, fmt.Errorf("starting a registry on %q: a registry already answers there", r.Registry)
	default:
		if started, err = startRegistry(pre.registryBin, r.Dir, r.Registry, "", o.detached); err != nil {
			return nil, err
		}
		if err := started.waitReady(ctx); err != nil {
			return nil, err
		}
		if !o.detached {
			r.reg = started
		}
	}

	if err := pushBase(ctx, r.Registry, pre.tarball); err != nil {
		return nil, err
	}
	if r.BuildkitdConfig, err = writeBuildkitdConfig(r.Dir, r.Registry); err != nil {
		return nil, err
	}
	return r, nil
}

// Close stops the registry unless it was started detached, and removes Dir when Start
// created it. It is safe to call more than once.
func (r *Rig) Close() error {
	r.closeOnce.Do(func() {
		var errs []error
		if r.reg != nil {
			errs = append(errs, r.reg.stop())
		}
		if r.removeDir {
			if err := os.RemoveAll(r.Dir); err != nil {
				errs = append(errs, fmt.Errorf("removing the rig folder: %w", err))
			}
		}
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
