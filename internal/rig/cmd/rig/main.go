// Command rig starts and stops the local registry that wsbuild's demo and CI build against.
//
//	eval "$(rig up --dir DIR [--port 5000] [--cache RIG_DIR])"   # prints export lines
//	rig down --dir DIR
//
// up is idempotent: it reuses a registry that already answers on the port. The registry
// runs detached (its own session, pid in DIR/registry.pid) until `rig down`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"os"
	"os/signal"
	"regexp"
	"strings"

	"github.com/wsbuild/wsbuild/internal/rig"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "rig:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "down") {
		return errors.New("usage: rig up --dir DIR [--port 5000] [--cache RIG_DIR] | rig down --dir DIR")
	}
	fs := flag.NewFlagSet("rig "+args[0], flag.ContinueOnError)
	dir := fs.String("dir", "", "folder for the registry's storage, config, log and pid file (required)")
	port := fs.Int("port", 5000, "registry port on 127.0.0.1")
	cache := fs.String("cache", rig.CacheDir(), "folder filled by .ci/rig-setup.sh")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		return errors.New("rig " + args[0] + ": --dir DIR is required and no arguments are taken")
	}
	if args[0] == "down" {
		return rig.Stop(*dir)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := rig.Start(ctx, rig.WithDir(*dir), rig.WithPort(*port), rig.WithCache(*cache), rig.WithDetached())
	if err != nil {
		return err
	}
	defer r.Close() // leaves the detached registry running
	fmt.Printf("export %s=%s %s=%s\n",
		buildkitd.EnvBinary, shellQuote(r.Buildkitd), buildkitd.EnvConfig, shellQuote(r.BuildkitdConfig))
	return nil
}

var plain = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote quotes s for a POSIX shell unless it needs no quoting.
func shellQuote(s string) string {
	if plain.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
