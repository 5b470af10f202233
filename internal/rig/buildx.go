package rig

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Client binaries that .ci/rig-setup.sh builds next to buildkitd in the cache folder.
const (
	buildctlBinary = "bin/buildctl"
	buildxBinary   = "bin/buildx"
)

// Buildctl returns the path of the buildctl in the cache folder (see
// CacheDir), built at go.mod's BuildKit version; when it is missing the error
// wraps ErrNotSetUp.
func Buildctl(cache string) (string, error) { return cached(cache, buildctlBinary) }

// BuildxBinary returns the path of the buildx in the cache folder, built at
// the version .ci/buildx/go.mod pins; when it is missing the error wraps
// ErrNotSetUp.
func BuildxBinary(cache string) (string, error) { return cached(cache, buildxBinary) }

func cached(cache, rel string) (string, error) {
	p := filepath.Join(cache, rel)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w (%v)", ErrNotSetUp, err)
	}
	return p, nil
}

// Buildx is buildx with a configuration of its own (BUILDX_CONFIG and
// DOCKER_CONFIG in a throwaway folder, so the user's ~/.docker is neither
// read nor changed) holding one builder: buildx's remote driver on a
// buildkitd, no Docker engine.
type Buildx struct {
	// Bin is the buildx binary.
	Bin string
	// Builder is the builder's name; Command selects it (BUILDX_BUILDER).
	Builder string
	// Dir holds the buildx and docker configuration folders.
	Dir string
}

// NewBuildx makes a builder named builder with `buildx create --driver
// remote addr` (addr is a buildkitd address such as
// "unix:///run/buildkit/buildkitd.sock") in a configuration kept in dir.
func NewBuildx(ctx context.Context, bin, builder, addr, dir string) (*Buildx, error) {
	b := &Buildx{Bin: bin, Builder: builder, Dir: dir}
	for _, d := range []string{b.configDir(), b.dockerConfigDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("creating buildx's configuration folder: %w", err)
		}
	}
	if _, err := b.Run(ctx, "create", "--name", builder, "--driver", "remote", addr); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Buildx) configDir() string       { return filepath.Join(b.Dir, "buildx") }
func (b *Buildx) dockerConfigDir() string { return filepath.Join(b.Dir, "docker") }

// Env returns the variables that point buildx at b's configuration and builder.
func (b *Buildx) Env() []string {
	return []string{
		"BUILDX_CONFIG=" + b.configDir(),
		"DOCKER_CONFIG=" + b.dockerConfigDir(),
		"BUILDX_BUILDER=" + b.Builder,
	}
}

// Command returns `buildx args...` run with b's configuration and builder
// (the environment of this process plus Env).
func (b *Buildx) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, b.Bin, args...)
	cmd.Env = append(os.Environ(), b.Env()...)
	return cmd
}

// Run runs `buildx args...` like Command and returns its standard output;
// a failure's error quotes the command and its standard error.
func (b *Buildx) Run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := b.Command(ctx, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("running %q: %w\n%s", "buildx "+strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}
