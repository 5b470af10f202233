package probe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Binary is the file name of the probe.
const Binary = "wsbuild-probe"

// Package is the import path of the probe's main package.
const Package = "github.com/wsbuild/wsbuild/cmd/wsbuild-probe"

// buildHint says how to make the probe.
const buildHint = "build it with `make build` or `CGO_ENABLED=0 go build -o bin/wsbuild-probe ./cmd/wsbuild-probe`, " +
	"and put it next to wsbuild, on PATH, or name it in $WSBUILD_PROBE"

// Locate finds the probe binary: $WSBUILD_PROBE if set (it must exist),
// else wsbuild-probe next to the running executable, else wsbuild-probe on
// PATH.
func Locate() (string, error) {
	exe, _ := os.Executable()
	return locate(os.Getenv("WSBUILD_PROBE"), exe, exec.LookPath)
}

func locate(env, exe string, lookPath func(string) (string, error)) (string, error) {
	if env != "" {
		if err := isExecutable(env); err != nil {
			return "", fmt.Errorf("$WSBUILD_PROBE=%q: %w", env, err)
		}
		return env, nil
	}
	var beside string
	if exe != "" {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		beside = filepath.Join(filepath.Dir(exe), Binary)
		if isExecutable(beside) == nil {
			return beside, nil
		}
	}
	if p, err := lookPath(Binary); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found: $WSBUILD_PROBE is unset, %q does not exist, and it is not on PATH; %s",
		Binary, beside, buildHint)
}

// isExecutable checks that path is a regular file someone may execute.
func isExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%q is not an executable file", path)
	}
	return nil
}

// Build compiles the probe from this module's source into out, statically
// (CGO_ENABLED=0), for goarch (such as "amd64" or "arm64"; empty means the
// host's). It runs the go command in dir, which must lie inside the
// wsbuild module ("" is the current directory); tests use it to get a
// probe for the images they build.
func Build(ctx context.Context, dir, out, goarch string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, Package)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if goarch != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+goarch)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s into %q: %w\n%s", Package, out, err, b)
	}
	return nil
}
