package buildkitd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Environment variables read for the defaults of the options below.
const (
	// EnvHost names the BuildKit address to use instead of a private daemon.
	EnvHost = "BUILDKIT_HOST"
	// EnvBinary names the buildkitd binary to run as the private daemon.
	EnvBinary = "WSBUILD_BUILDKITD"
	// EnvConfig names a buildkitd.toml for the private daemon.
	EnvConfig = "WSBUILD_BUILDKITD_CONFIG"
)

// Option configures Connect.
type Option func(*options) error

type options struct {
	addr      string
	addrSet   bool
	tls       TLS
	stateDir  string
	binary    string
	binaryEnv bool // binary came from EnvBinary
	config    string
	configSet bool
	log       io.Writer
	gcLimit   int64
}

// WithAddr connects to the buildkitd listening at addr (any address the
// BuildKit client accepts: unix://, tcp://, docker-container://, ...) instead
// of starting a private daemon.
//
// Default: the BUILDKIT_HOST environment variable. When the resulting address
// is empty a private daemon is started, so WithAddr("") forces the private
// daemon even when BUILDKIT_HOST is set.
func WithAddr(addr string) Option {
	return func(o *options) error {
		o.addr, o.addrSet = addr, true
		return nil
	}
}

// WithStateDir sets the directory holding the private daemon's state: its
// root (STATE/root), its log (STATE/buildkitd.log), its socket when the path
// is short enough, and the lock (STATE/lock) that keeps two wsbuild runs from
// sharing the state.
//
// Default: os.UserCacheDir()/wsbuild/buildkitd.
func WithStateDir(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("WithStateDir: empty directory")
		}
		o.stateDir = dir
		return nil
	}
}

// WithBinary sets the buildkitd binary run as the private daemon: a path, or a
// name looked up on PATH.
//
// Default: the WSBUILD_BUILDKITD environment variable, else "buildkitd" on PATH.
func WithBinary(path string) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("WithBinary: empty path")
		}
		o.binary = path
		return nil
	}
}

// WithConfig passes a buildkitd.toml to the private daemon (--config). An
// empty path means no config file.
//
// Default: the WSBUILD_BUILDKITD_CONFIG environment variable, else none.
func WithConfig(path string) Option {
	return func(o *options) error {
		o.config, o.configSet = path, true
		return nil
	}
}

// WithLog sets where progress lines go, such as "waiting for another wsbuild
// run to release DIR". A nil writer discards them.
//
// Default: io.Discard.
func WithLog(w io.Writer) Option {
	return func(o *options) error {
		o.log = w
		return nil
	}
}

// resolve applies opts and fills in the defaults documented on each option.
// The state directory and the config path come back absolute.
func resolve(opts []Option) (*options, error) {
	o := &options{}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	if !o.addrSet {
		o.addr = os.Getenv(EnvHost)
	}
	if o.log == nil {
		o.log = io.Discard
	}
	if o.addr != "" {
		return o, nil // the rest only matters for a private daemon
	}
	if o.tls.Enabled() {
		return nil, errNoTLSForPrivate
	}
	if o.stateDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("finding the default buildkitd state dir (use WithStateDir): %w", err)
		}
		o.stateDir = filepath.Join(cache, "wsbuild", "buildkitd")
	}
	if o.binary == "" {
		o.binary, o.binaryEnv = os.Getenv(EnvBinary), true
		if o.binary == "" {
			o.binary, o.binaryEnv = "buildkitd", false
		}
	}
	if !o.configSet {
		o.config = os.Getenv(EnvConfig)
	}
	var err error
	if o.stateDir, err = filepath.Abs(o.stateDir); err != nil {
		return nil, fmt.Errorf("buildkitd state dir %q: %w", o.stateDir, err)
	}
	if o.config != "" {
		if o.config, err = filepath.Abs(o.config); err != nil {
			return nil, fmt.Errorf("buildkitd config %q: %w", o.config, err)
		}
		if _, err := os.Stat(o.config); err != nil {
			return nil, fmt.Errorf("buildkitd config: %w", err)
		}
	}
	return o, nil
}
