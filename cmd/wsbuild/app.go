package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a build or push failed
	exitUsage   = 2 // a bad spec, override or flag
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"validate", "check a spec and report every problem with its file and line", runValidate},
		{"plan", "show the build order, refs and input digests; --why: what a build would do and why", runPlan},
		{"build", "build images (and with --push, push them; unchanged images are skipped)", runBuild},
		{"promote", "copy built images from one registry or namespace to another by digest, without building", runPromote},
		{"export", "write built images of a spec, with their tags, to an OCI image layout (folder or .tar)", runExport},
		{"import", "push the images of an OCI image layout export wrote to a registry and namespace", runImport},
		{"verify", "check an image's SBOM and provenance: about that image, and built from the spec at hand", runVerify},
		{"lock", "pin every base image to a digest in the spec's lock file", runLock},
		{"templates", "list the stock workstation templates in every OS and CUDA leg", runTemplates},
		{"init", "write a starter spec from a template (--template) or a JinaD workspace (--from)", runInit},
		{"prune", "empty or trim the content store and the private buildkitd's build cache", runPrune},
		{"schema", "print the JSON Schema of spec files, for editors with a YAML language server", runSchema},
		{"version", "print wsbuild's version and commit, its BuildKit version and the buildkitd's (--version too)", runVersion},
	}
}

// usageError marks a problem with the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

// run executes the command line and returns the process's exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" {
		args[0] = "version"
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(c.run(ctx, args[1:], stdout, stderr), stderr)
		}
	}
	fmt.Fprintf(stderr, "wsbuild: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wsbuild COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'wsbuild COMMAND --help' for a command's flags.")
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "wsbuild: %v\n", err)
	var ue usageError
	var ie *pipeline.InputError
	var se *spec.Error
	var sl spec.ErrorList
	if errors.As(err, &ue) || errors.As(err, &ie) || errors.As(err, &se) || errors.As(err, &sl) {
		return exitUsage
	}
	return exitFailure
}

// newFlags returns a flag set for a subcommand that reports errors, rather
// than exiting, and prints its help to stdout.
func newFlags(name, synopsis string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: wsbuild %s\n\nflags:\n%s", synopsis, fs.FlagUsages())
	}
	return fs
}

func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	return nil
}

// Parts of the usage lines: the flags of specFlags, daemonFlags and
// imageFlags, as each command's synopsis lists them.
const (
	specSynopsis   = "[-f FILE] [--set-file FILE]... [--set image.key=value]... [--lock LOCKFILE]" + synopsisIndent + "[--max-images N] [--allow-insecure-registry REGISTRY]..."
	daemonSynopsis = "[--addr ADDR]" + synopsisIndent + tlsSynopsis
	limitSynopsis  = "[--cache-limit SIZE]"
	imageSynopsis  = "[--source-date-epoch SECONDS] [--compression TYPE [--compression-level N]]"
	// synopsisIndent starts a usage line's continuation, under the command.
	synopsisIndent = "\n               "
)

// specFlags are the flags every command that reads a spec takes.
type specFlags struct {
	file     string
	sets     []string
	setFiles []string
	lockFile string
	insecure []string
	// maxImages is --max-images; 0 means spec.DefaultMaxImages.
	maxImages int
}

func (s *specFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&s.file, "file", "f", spec.DefaultFile, "spec `FILE`")
	fs.StringArrayVar(&s.sets, "set", nil, "override a spec field: `image.key=value` (image may be a pattern: '*.tag=1.2'), or matrix.axis=value (repeatable)")
	fs.StringVar(&s.lockFile, "lock", "", "pin the bases with the lock file `LOCKFILE` (default: the spec's name with .lock, used when it exists)")
	fs.StringArrayVar(&s.setFiles, "set-file", nil, "read overrides from `FILE`, one image.key=value a line, applied before --set (repeatable)")
	fs.StringArrayVar(&s.insecure, "allow-insecure-registry", nil, "allow insecure: true (plain HTTP) for `REGISTRY`, which is not on a loopback or private address (repeatable)")
	fs.IntVar(&s.maxImages, "max-images", 0, fmt.Sprintf("the most images the spec may make, matrix variants included (`N`, default %d)", spec.DefaultMaxImages))
}

// apply puts the spec flags into o.
func (s *specFlags) apply(o *pipeline.Options) {
	o.SpecFile, o.Sets, o.SetFiles, o.LockFile, o.AllowInsecure, o.MaxImages = s.file, s.sets, s.setFiles, s.lockFile, s.insecure, s.maxImages
}
