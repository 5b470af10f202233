package buildkitd

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// versionTimeout bounds `buildkitd --version` and the Info call of DaemonVersion.
const versionTimeout = 10 * time.Second

// Version is what a buildkitd says it is.
type Version struct {
	// Package is BuildKit's module path, "github.com/moby/buildkit".
	Package string `json:"package,omitempty"`
	// Version is BuildKit's version, such as "v0.33.1".
	Version string `json:"version"`
	// Revision is the commit it was built from.
	Revision string `json:"revision,omitempty"`
}

// DaemonVersion asks the buildkitd behind c for its version (BuildKit's
// Info call).
func (c *Conn) DaemonVersion(ctx context.Context) (Version, error) {
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	info, err := c.client.Info(ctx)
	if err != nil {
		return Version{}, fmt.Errorf("asking buildkitd at %q for its version: %w", c.addr, err)
	}
	v := info.BuildkitVersion
	return Version{Package: v.Package, Version: v.Version, Revision: v.Revision}, nil
}

// PrivateBinary returns the buildkitd binary a private daemon would run
// (WithBinary, else WSBUILD_BUILDKITD, else buildkitd on PATH), and the
// version it prints with --version, without starting it.
func PrivateBinary(ctx context.Context, opts ...Option) (string, Version, error) {
	o, err := resolve(append([]Option{WithAddr("")}, opts...))
	if err != nil {
		return "", Version{}, err
	}
	bin, err := findBinary(o)
	if err != nil {
		return "", Version{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return bin, Version{}, fmt.Errorf("running %s --version: %w", bin, err)
	}
	return bin, parseVersionLine(string(out)), nil
}

// parseVersionLine reads buildkitd's --version line, "buildkitd PACKAGE
// VERSION [REVISION]"; a line of another shape is kept whole as the version.
func parseVersionLine(line string) Version {
	f := strings.Fields(line)
	if (len(f) == 3 || len(f) == 4) && f[0] == "buildkitd" {
		v := Version{Package: f[1], Version: f[2]}
		if len(f) == 4 {
			v.Revision = f[3]
		}
		return v
	}
	return Version{Version: strings.TrimSpace(line)}
}
