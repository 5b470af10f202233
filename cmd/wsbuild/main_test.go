package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wsbuild/wsbuild/internal/probe"
)

// TestMain gives the end-to-end tests a static wsbuild-probe for the start
// checks, built from this module, unless $WSBUILD_PROBE names one (make test
// builds it into bin/).
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("WSBUILD_PROBE") == "" && !testing.Short() {
		dir, err := os.MkdirTemp("", "wsbuild-probe")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out := filepath.Join(dir, probe.Binary)
		if err := probe.Build(context.Background(), "", out, ""); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv("WSBUILD_PROBE", out)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}
