package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/wsbuild/wsbuild/internal/catalogue"
	"github.com/wsbuild/wsbuild/internal/jinad"
	"github.com/wsbuild/wsbuild/internal/localfs"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

// initFlags are the flags of `wsbuild init`.
type initFlags struct {
	template, os, cuda  string
	from                string
	output              string
	force               bool
	registry, namespace string
}

// runInit writes a starter spec, from a stock template or from a JinaD
// workspace folder.
func runInit(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var f initFlags
	fs := newFlags("init",
		"init --template NAME [--os OS] [--cuda VERSION|false] [-o FILE] [--force] [--registry HOST --namespace NS]\n"+
			"       wsbuild init --from DIR [-o FILE] [--force] [--registry HOST --namespace NS]", stdout)
	fs.StringVar(&f.template, "template", "", "start from the stock template `NAME` (see 'wsbuild templates')")
	fs.StringVar(&f.os, "os", "debian12", "with --template: the `OS` of the leg ("+strings.Join(templates.OSNames(), " or ")+")")
	fs.StringVar(&f.cuda, "cuda", catalogue.CPU, "with --template: the CUDA `VERSION` of the leg, or false for the CPU leg")
	fs.StringVar(&f.from, "from", "", "start from the JinaD-style workspace folder `DIR` (with a .jinad file)")
	fs.StringVarP(&f.output, "output", "o", "", "spec `FILE` to write (default "+spec.DefaultFile+", with --from DIR/"+spec.DefaultFile+")")
	fs.BoolVar(&f.force, "force", false, "overwrite the spec file if it exists")
	fs.StringVar(&f.registry, "registry", "", "push to the registry `HOST` (with --namespace); without both, the spec's push: is a commented placeholder")
	fs.StringVar(&f.namespace, "namespace", "", "push into the namespace `NS` of --registry")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (f.registry == "") != (f.namespace == "") {
		return usageError{errors.New("init takes --registry and --namespace together (the push target is registry/namespace/image)")}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("init takes no arguments, got %q", fs.Args())}
	case f.template == "" && f.from == "":
		return usageError{errors.New("init needs --template NAME or --from DIR")}
	case f.template != "" && f.from != "":
		return usageError{errors.New("init takes --template or --from, not both")}
	case f.from != "" && (fs.Changed("os") || fs.Changed("cuda")):
		return usageError{errors.New("--os and --cuda go with --template; a spec made --from a workspace is built on " + jinad.Base)}
	}
	if f.output == "" {
		f.output = spec.DefaultFile
		if f.from != "" {
			f.output = filepath.Join(f.from, spec.DefaultFile)
		}
	}
	if st, err := os.Lstat(f.output); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return usageError{throughLink(f.output)}
	} else if err == nil && !f.force {
		return usageError{fmt.Errorf("%s exists; use --force to overwrite it", f.output)}
	}
	if f.template != "" {
		return initTemplate(f, stdout)
	}
	return initFrom(f, stdout, stderr)
}

// initTemplate writes template f.template in the leg --os and --cuda name.
func initTemplate(f initFlags, stdout io.Writer) error {
	c, err := catalogue.Stock()
	if err != nil {
		return err
	}
	if err := c.Check(f.template); err != nil {
		return usageError{err}
	}
	leg, err := catalogue.FindLeg(f.os, f.cuda)
	if err != nil {
		return usageError{err}
	}
	data, err := c.Starter(f.template, leg)
	if err != nil {
		return err
	}
	if data, err = catalogue.SetPush(data, f.pushTarget()); err != nil {
		return err
	}
	out := f.output
	fam, err := checkSpec(out, data)
	if err != nil {
		return err
	}
	if err := writeSpecFile(out, data, f.force); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %s for %s (%d images: %s)\n",
		out, f.template, legDescription(leg), len(fam.Names), strings.Join(fam.Names, ", "))
	return nil
}

// pushTarget is the push target --registry and --namespace name, nil
// without them. A registry on loopback is reached over plain HTTP, as a
// local test registry is.
func (f initFlags) pushTarget() *spec.PushTarget {
	if f.registry == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(f.registry)
	if err != nil {
		host = f.registry
	}
	ip := net.ParseIP(host)
	return &spec.PushTarget{Registry: f.registry, Namespace: f.namespace, Insecure: host == "localhost" || ip != nil && ip.IsLoopback()}
}

func legDescription(l catalogue.Leg) string {
	if l.Cuda == "" {
		return "CPU on " + l.OS
	}
	return "CUDA " + l.Cuda + " on " + l.OS
}

// initFrom writes a spec for the JinaD workspace in f.from.
func initFrom(f initFlags, stdout, stderr io.Writer) error {
	dir, err := filepath.Abs(f.from)
	if err != nil {
		return err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageError{fmt.Errorf("--from %q: not a folder", f.from)}
	}
	out := f.output
	absOut, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(absOut), dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return usageError{fmt.Errorf("cannot write the spec to %q: copy sources are relative to the spec's folder, "+
			"so the spec goes into %s or a folder above it", out, f.from)}
	}
	var exclude []string
	if rel == "." {
		exclude = append(exclude, filepath.Base(absOut))
	}
	folder, err := localfs.Open(dir)
	if err != nil {
		return err
	}
	defer folder.Close()
	ws, err := jinad.Scan(folder, filepath.ToSlash(filepath.Clean(f.from)), exclude...)
	if err != nil {
		return usageError{err}
	}
	for _, w := range ws.Warnings {
		fmt.Fprintf(stderr, "wsbuild: warning: %s\n", w)
	}
	name := jinad.ImageName(filepath.Base(dir))
	data, err := ws.Spec(jinad.SpecOptions{Image: name, Dir: filepath.ToSlash(rel), Source: filepath.Base(dir)})
	if err != nil {
		return usageError{err}
	}
	if data, err = catalogue.SetPush(data, f.pushTarget()); err != nil {
		return err
	}
	if _, err := checkSpec(out, data); err != nil {
		return err
	}
	if err := writeSpecFile(out, data, f.force); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: image %q from %s\n", out, name, filepath.Join(f.from, jinad.FileName))
	return nil
}

// checkSpec parses and plans data as the spec file path, so that init never
// writes a spec that `wsbuild validate` would reject.
func checkSpec(path string, data []byte) (*spec.Family, error) {
	folder, err := localfs.Open(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	defer folder.Close()
	fam, err := spec.Parse(path, data, spec.WithFS(folder))
	if err != nil {
		return nil, fmt.Errorf("the spec for %s does not validate:\n%w", path, err)
	}
	if _, err := plan.New(fam, plan.WithContext(folder)); err != nil {
		return nil, fmt.Errorf("the spec for %s does not plan: %w", path, err)
	}
	return fam, nil
}

// writeSpecFile writes data to path, refusing to replace a file unless
// force, and refusing, even with force, to write through a symbolic link:
// the link may lead anywhere, and replacing it would lose what it says.
func writeSpecFile(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC | syscall.O_NOFOLLOW
	if !force {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return usageError{fmt.Errorf("%s exists; use --force to overwrite it", path)}
	}
	if errors.Is(err, syscall.ELOOP) {
		return usageError{throughLink(path)}
	}
	if err != nil {
		return fmt.Errorf("writing spec: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing spec %q: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing spec %q: %w", path, err)
	}
	return nil
}

// throughLink is the error for an output path that is a symbolic link.
func throughLink(path string) error {
	target, _ := os.Readlink(path)
	return fmt.Errorf("%s is a symbolic link (to %q): init does not write through links, even with --force; "+
		"remove the link or name the file with -o", path, target)
}
