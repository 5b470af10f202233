package probe

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocate(t *testing.T) {
	dir := t.TempDir()
	write := func(path string, mode os.FileMode) string {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	envProbe := write(filepath.Join(dir, "env", "probe"), 0o755)
	beside := write(filepath.Join(dir, "bin", Binary), 0o755)
	exe := write(filepath.Join(dir, "bin", "wsbuild"), 0o755)
	lonely := write(filepath.Join(dir, "lonely", "wsbuild"), 0o755)
	plain := write(filepath.Join(dir, "plain", Binary), 0o644)
	plainExe := write(filepath.Join(dir, "plain", "wsbuild"), 0o755)
	onPath := filepath.Join(dir, "path", Binary)
	found := func(string) (string, error) { return onPath, nil }
	notFound := func(string) (string, error) { return "", errors.New("not on PATH") }

	for _, tc := range []struct {
		name     string
		env, exe string
		lookPath func(string) (string, error)
		want     string
		err      string
	}{
		{"env wins", envProbe, exe, found, envProbe, ""},
		{"env missing", filepath.Join(dir, "nope"), exe, found, "", "$WSBUILD_PROBE=" + `"` + filepath.Join(dir, "nope")},
		{"env not executable", plain, exe, found, "", "is not an executable file"},
		{"beside the executable", "", exe, found, beside, ""},
		{"on PATH", "", lonely, found, onPath, ""},
		{"not executable beside, on PATH", "", plainExe, found, onPath, ""},
		{"nowhere", "", lonely, notFound, "", "CGO_ENABLED=0 go build -o bin/wsbuild-probe ./cmd/wsbuild-probe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := locate(tc.env, tc.exe, tc.lookPath)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("locate = %q, %v; want an error with %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("locate = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
