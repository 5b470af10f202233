package rig

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// Names inside the cache folder filled by .ci/rig-setup.sh, and in the rig folder.
const (
	baseTarball         = "debian-bookworm.tar"
	buildkitdBinary     = "bin/buildkitd"
	buildkitdConfigFile = "buildkitd.toml"
	registryCommand     = "docker-registry"
)

// prereqs are the paths of what .ci/rig-setup.sh provides.
type prereqs struct {
	tarball, buildkitd, registryBin string
}

// findPrereqs locates the prerequisites; a missing one is an error wrapping ErrNotSetUp.
func findPrereqs(cache string) (prereqs, error) {
	p := prereqs{
		tarball:   filepath.Join(cache, baseTarball),
		buildkitd: filepath.Join(cache, buildkitdBinary),
	}
	for _, f := range []string{p.tarball, p.buildkitd} {
		if _, err := os.Stat(f); err != nil {
			return p, fmt.Errorf("%w (%v)", ErrNotSetUp, err)
		}
	}
	bin, err := exec.LookPath(registryCommand)
	if err != nil {
		return p, fmt.Errorf("%w (%v)", ErrNotSetUp, err)
	}
	p.registryBin = bin
	return p, nil
}

// buildkitdConfig returns a buildkitd.toml (format of buildkit v0.33's
// cmd/buildkitd/config) for the OCI worker with overlayfs, with the registry at addr
// reached over plain HTTP and used as the docker.io mirror.
func buildkitdConfig(addr string) []byte {
	a := strconv.Quote(addr)
	return fmt.Appendf(nil, `# Written by wsbuild's internal/rig: buildkitd with a local registry as docker.io.

[worker.oci]
  enabled = true
  snapshotter = "overlayfs"

[worker.containerd]
  enabled = false

[registry.%s]
  http = true
  insecure = true

[registry."docker.io"]
  mirrors = [%s]
`, a, a)
}

// writeBuildkitdConfig writes dir/buildkitd.toml for the registry at addr and returns its path.
func writeBuildkitdConfig(dir, addr string) (string, error) {
	path := filepath.Join(dir, buildkitdConfigFile)
	if err := os.WriteFile(path, buildkitdConfig(addr), 0o644); err != nil {
		return "", fmt.Errorf("writing %q: %w", path, err)
	}
	return path, nil
}
