package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/wsbuild/wsbuild/internal/buildkitd"
)

// version and commit are wsbuild's version and commit when set at link
// time (make build sets both: -ldflags "-X main.version=v1.2.3 -X
// main.commit=SHA"); else what Go recorded (the module version, and the
// vcs settings unless built with -buildvcs=false).
var version, commit string

// buildkitModule is the module whose version the client was built with.
const buildkitModule = "github.com/moby/buildkit"

// versionInfo is what `wsbuild version` reports.
type versionInfo struct {
	Wsbuild struct {
		Version  string `json:"version"`
		Commit   string `json:"commit,omitempty"`
		Time     string `json:"time,omitempty"`
		Modified bool   `json:"modified,omitempty"`
	} `json:"wsbuild"`
	// BuildKit is the version of the BuildKit client wsbuild was built with.
	BuildKit string `json:"buildkit"`
	// Daemon is what the buildkitd says, when one was reached.
	Daemon *daemonVersion `json:"buildkitd,omitempty"`
	// NoDaemon says why no daemon's version is given.
	NoDaemon string `json:"noBuildkitd,omitempty"`
}

// daemonVersion is a daemon's version and where it is.
type daemonVersion struct {
	Package  string `json:"package,omitempty"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	// Addr is the daemon's address; "" for the private daemon's binary.
	Addr string `json:"addr,omitempty"`
	// Binary is the private daemon's binary, when no address is given.
	Binary string `json:"binary,omitempty"`
}

// runVersion prints wsbuild's version, the BuildKit version it was built
// with and the version of the buildkitd it would build on: the daemon at
// --addr or $BUILDKIT_HOST (an error when it cannot be reached), else the
// private daemon's binary (`buildkitd --version`; its absence is reported
// and is no error).
func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var df daemonFlags
	var output string
	fs := newFlags("version", "version "+daemonSynopsis+" [-o text|json]", stdout)
	df.register(fs)
	fs.StringVarP(&output, "output", "o", "text", "output format: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (output != "text" && output != "json") {
		return usageError{fmt.Errorf("version takes no arguments and -o text or json")}
	}
	t, err := df.resolveTLS()
	if err != nil {
		return usageError{err}
	}
	v := clientVersion()
	var dialErr error
	addr := df.addr
	if addr == "" {
		addr = os.Getenv(buildkitd.EnvHost)
	}
	if addr != "" {
		dv, err := remoteVersion(ctx, addr, t)
		if err != nil {
			dialErr = err
			v.NoDaemon = "not reached at " + addr + " (the error follows)"
		} else {
			v.Daemon = dv
		}
	} else if bin, bv, err := buildkitd.PrivateBinary(ctx); err != nil {
		v.NoDaemon = "no buildkitd address (--addr, $BUILDKIT_HOST), and no private buildkitd: " + err.Error()
	} else {
		v.Daemon = &daemonVersion{Package: bv.Package, Version: bv.Version, Revision: bv.Revision, Binary: bin}
	}
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
	} else {
		printVersion(stdout, v)
	}
	return dialErr
}

// remoteVersion asks the buildkitd at addr for its version.
func remoteVersion(ctx context.Context, addr string, t buildkitd.TLS) (*daemonVersion, error) {
	conn, err := buildkitd.Connect(ctx, buildkitd.WithAddr(addr), buildkitd.WithTLS(t))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	bv, err := conn.DaemonVersion(ctx)
	if err != nil {
		return nil, err
	}
	return &daemonVersion{Package: bv.Package, Version: bv.Version, Revision: bv.Revision, Addr: addr}, nil
}

// clientVersion reads wsbuild's version and commit and BuildKit's module
// version from what the Go linker recorded.
func clientVersion() versionInfo {
	var v versionInfo
	v.Wsbuild.Version, v.Wsbuild.Commit, v.BuildKit = version, commit, "unknown"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		if v.Wsbuild.Version == "" {
			v.Wsbuild.Version = "unknown"
		}
		return v
	}
	if v.Wsbuild.Version == "" {
		v.Wsbuild.Version = info.Main.Version
	}
	if v.Wsbuild.Version == "" || v.Wsbuild.Version == "(devel)" {
		v.Wsbuild.Version = "devel"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if v.Wsbuild.Commit == "" {
				v.Wsbuild.Commit = s.Value
			}
		case "vcs.time":
			v.Wsbuild.Time = s.Value
		case "vcs.modified":
			v.Wsbuild.Modified = s.Value == "true"
		}
	}
	for _, d := range info.Deps {
		if d.Path == buildkitModule {
			v.BuildKit = d.Version
			if d.Replace != nil {
				v.BuildKit += " => " + d.Replace.Path + " " + d.Replace.Version
			}
		}
	}
	return v
}

func printVersion(w io.Writer, v versionInfo) {
	commit := v.Wsbuild.Commit
	if commit == "" {
		commit = "unknown commit"
	}
	if v.Wsbuild.Time != "" {
		commit += ", " + v.Wsbuild.Time
	}
	if v.Wsbuild.Modified {
		commit += ", with uncommitted changes"
	}
	fmt.Fprintf(w, "wsbuild:   %s (%s)\n", v.Wsbuild.Version, commit)
	fmt.Fprintf(w, "BuildKit:  %s %s (the client wsbuild was built with)\n", buildkitModule, v.BuildKit)
	switch d := v.Daemon; {
	case d == nil:
		fmt.Fprintf(w, "buildkitd: %s\n", v.NoDaemon)
	case d.Addr != "":
		fmt.Fprintf(w, "buildkitd: %s at %s\n", d.describe(), d.Addr)
	default:
		fmt.Fprintf(w, "buildkitd: %s, the private buildkitd %s (started by builds: no --addr or $BUILDKIT_HOST)\n",
			d.describe(), d.Binary)
	}
}

// describe says "PACKAGE VERSION (revision REVISION)", leaving out what d lacks.
func (d *daemonVersion) describe() string {
	s := strings.TrimSpace(d.Package + " " + d.Version)
	if d.Revision != "" {
		s += " (revision " + d.Revision + ")"
	}
	return s
}
