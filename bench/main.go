// Command bench measures wsbuild against `docker buildx bake` of the
// per-image Dockerfiles it replaces. It builds the stock catalogue's CPU
// family (templates/catalogue.yaml with templates/offline.sets; -family
// small keeps three of its images) with wsbuild, and the same images from
// bench/dockerfiles with one bake file (buildx's remote driver, no Docker
// engine), on one buildkitd and the rig's registry behind a byte-counting
// proxy, and reports wall times, their ratio, the machine's load and the
// bytes moved. Run it from the repository root:
//
//	go run ./bench -out bench/results.md
//
// See bench/README.md for what each scenario measures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wsbuild/wsbuild/internal/rig"
)

// allScenarios are the scenarios in the order they run.
var allScenarios = append(append([]string{}, buildScenarios...), "plan")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	wsbuild, out, cache, work string
	wsbuildFlags              string
	keep                      bool
	// bakeUnsafeIO gives the Dockerfiles' apt-get installs dpkg's
	// --force-unsafe-io, as wsbuild's compiled installs have it.
	bakeUnsafeIO bool
	family       string
	scenarios    map[string]bool
	sides        map[string]bool
	planSizes    []int
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var scenarios, sides, sizes string
	fs.StringVar(&c.wsbuild, "wsbuild", "", "wsbuild binary to measure (default: ./cmd/wsbuild, built into the work folder)")
	fs.StringVar(&c.wsbuildFlags, "wsbuild-flags", "", "flags every `wsbuild build` takes besides the scenario's, space-separated (e.g. \"--push-from daemon\")")
	fs.StringVar(&scenarios, "scenarios", strings.Join(allScenarios, ","), "scenarios to run: "+strings.Join(allScenarios, ",")+" (every build scenario starts with cold)")
	fs.StringVar(&sides, "sides", "wsbuild,bake", "sides to run: wsbuild, bake")
	fs.StringVar(&c.family, "family", "full", "images to build: "+strings.Join(familyNames(), " or ")+" (small: python, python-pytorch, python-pytorch-jupyter)")
	fs.StringVar(&sizes, "plan-sizes", "125,250,500", "image counts of the generated families the plan scenario plans")
	fs.StringVar(&c.out, "out", "", "also write the report to this file")
	fs.StringVar(&c.cache, "cache", rig.CacheDir(), "rig cache made by .ci/rig-setup.sh (buildkitd, buildctl, Debian base)")
	fs.StringVar(&c.work, "work", "", "work folder for specs, state and logs (default: a temporary folder)")
	fs.BoolVar(&c.keep, "keep", false, "keep the work folder (logs, metadata) afterwards")
	fs.BoolVar(&c.bakeUnsafeIO, "bake-unsafe-io", false, "give the Dockerfiles' apt-get installs dpkg's --force-unsafe-io, which wsbuild's installs have")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.scenarios, err = set(scenarios, allScenarios); err != nil {
		return c, err
	}
	if c.sides, err = set(sides, []string{sideWsbuild, sideBake}); err != nil {
		return c, err
	}
	if _, ok := families[c.family]; !ok {
		return c, fmt.Errorf("-family: unknown %q (want %s)", c.family, strings.Join(familyNames(), " or "))
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < len(matrixPythons) {
			return c, fmt.Errorf("-plan-sizes: %q is not a count of at least %d", s, len(matrixPythons))
		}
		c.planSizes = append(c.planSizes, n)
	}
	return c, nil
}

// set parses a comma-separated list of names out of known.
func set(list string, known []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(known, s) {
			return nil, fmt.Errorf("unknown %q (want some of %s)", s, strings.Join(known, ","))
		}
		out[s] = true
	}
	return out, nil
}

// run runs the selected scenarios and writes the report; the report is
// written even when a side failed, with the failure in it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	work := c.work
	if work == "" {
		if work, err = os.MkdirTemp("", "wsbuild-bench-"); err != nil {
			return err
		}
	}
	if c.keep || c.work != "" {
		fmt.Fprintf(stderr, "bench: work folder %s (kept)\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	logDir := filepath.Join(work, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	bin, origin, err := wsbuildBinary(ctx, c.wsbuild, root, work)
	if err != nil {
		return err
	}

	env, err := startEnv(ctx, work, c.cache, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.Close()) }()
	run := &runner{logDir: logDir}
	family := families[c.family]
	ws, err := newWsbuildSide(ctx, bin, root, filepath.Join(work, "wsbuild"), family, env, run)
	if err != nil {
		return err
	}
	ws.extra = strings.Fields(c.wsbuildFlags)
	bx, err := rig.BuildxBinary(c.cache)
	if err != nil {
		return fmt.Errorf("finding buildx: %w (run .ci/rig-setup.sh)", err)
	}
	bk, err := newBakeSide(root, filepath.Join(work, "bake"), family, bx, env, run)
	if err != nil {
		return err
	}
	if c.bakeUnsafeIO {
		if err := bk.unsafeIO(); err != nil {
			return err
		}
	}
	start, load := time.Now(), loadAverage()
	b := &bench{env: env, ws: ws, family: bk.Family(), scenarios: c.scenarios, log: stderr}
	fmt.Fprintf(stderr, "bench: registry %s behind proxy %s; logs in %s\n", env.rig.Registry, env.Registry(), logDir)
	fmt.Fprintf(stderr, "bench: wsbuild has lock=%v force=%v matrix=%v cache=%v\n", ws.feat.lock, ws.feat.force, ws.feat.matrix, ws.feat.cache)

	builds := slices.ContainsFunc(buildScenarios, func(s string) bool { return c.scenarios[s] })
	var errs []error
	for _, s := range []side{ws, bk} {
		if builds && c.sides[s.Name()] && ctx.Err() == nil {
			errs = append(errs, b.runSide(ctx, s))
		}
	}
	if c.scenarios["plan"] && c.sides[sideWsbuild] && ctx.Err() == nil {
		errs = append(errs, b.runPlans(ctx, c.planSizes))
	}

	info := reportInfo{When: start, Host: hostname(), CPUs: runtime.NumCPU(), Load: [2]string{load, loadAverage()},
		Wsbuild: origin + flagNote(c.wsbuildFlags), Buildx: buildxVersion(ctx, bx) + bakeNote(c.bakeUnsafeIO), Features: ws.feat, FamilyName: c.family}
	for _, img := range bk.images {
		info.Family = append(info.Family, img.Name)
	}
	out := []io.Writer{stdout}
	if c.out != "" {
		f, err := os.Create(c.out)
		if err != nil {
			return err
		}
		defer f.Close()
		out = append(out, f)
	}
	b.writeReport(io.MultiWriter(out...), info)
	return errors.Join(errs...)
}

// repoRoot finds the module root (the folder with go.mod) from the working
// directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "templates", "catalogue.yaml")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run bench inside the wsbuild source tree (no go.mod with templates/catalogue.yaml found)")
		}
		dir = parent
	}
}

// wsbuildBinary returns the binary to measure and a description of it:
// the given path, or ./cmd/wsbuild built into work.
func wsbuildBinary(ctx context.Context, given, root, work string) (bin, origin string, err error) {
	if given != "" {
		abs, err := filepath.Abs(given)
		if err != nil {
			return "", "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", "", fmt.Errorf("-wsbuild: %w", err)
		}
		return abs, fmt.Sprintf("%s (source tree at %s)", given, describe(ctx, root)), nil
	}
	bin = filepath.Join(work, "bin", "wsbuild")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/wsbuild")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("building ./cmd/wsbuild: %w\n%s", err, out)
	}
	return bin, fmt.Sprintf("./cmd/wsbuild at %s", describe(ctx, root)), nil
}

// describe names the commit of the source tree at root.
func describe(ctx context.Context, root string) string {
	rev, err := exec.CommandContext(ctx, "git", "-C", root, "describe", "--always", "--dirty").Output()
	if err != nil {
		return "an unknown commit"
	}
	return strings.TrimSpace(string(rev))
}

// buildxVersion is what `buildx version` says.
func buildxVersion(ctx context.Context, bin string) string {
	out, err := output(ctx, nil, bin, "version")
	if err != nil {
		return "version unknown"
	}
	return strings.TrimSpace(out)
}

// loadAverage is the 1-minute load average: the machine may be shared.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// hostname names this machine in the report.
func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "this machine"
	}
	return h
}

// flagNote says in the report which flags every build of wsbuild took.
// bakeNote says, after buildx's version, that its Dockerfiles' installs had
// dpkg's --force-unsafe-io (-bake-unsafe-io).
func bakeNote(unsafeIO bool) string {
	if !unsafeIO {
		return ""
	}
	return ", the Dockerfiles' apt-get installs given dpkg's `--force-unsafe-io` (-bake-unsafe-io)"
}

func flagNote(flags string) string {
	if strings.TrimSpace(flags) == "" {
		return ""
	}
	return ", every build with `" + strings.TrimSpace(flags) + "`"
}
