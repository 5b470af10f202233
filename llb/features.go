package llb

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"
	"time"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/templates"
)

// featureFiles writes the entrypoint at the chain's root and the files the
// features entering here add, then supervisor's configuration, then the
// folders the features make.
func (b *builder) featureFiles() error {
	n, p := b.node, b.node.Parent
	f := &files{epoch: b.epoch}
	if p == nil {
		f.asset("init.sh", InitPath, 0o755)
		f.text(UserFile, n.User.Name+"\n", 0o644)
		f.mkdir(InitDir)
		f.mkdir(SupervisorDir)
	}
	for _, file := range n.Contribution.Files {
		switch {
		case file.Asset != "":
			f.asset(file.Asset, file.Path, file.Mode)
		case file.Template != "":
			f.template(file.Template, file.Path, file.Data, file.Mode)
		default:
			f.text(file.Path, file.Text, file.Mode)
		}
	}
	if usesSupervisor(n) && !usesSupervisor(p) {
		f.asset("supervisord.conf", SupervisordConf, 0o644)
	}
	if usesSupervisor(n) {
		f.supervisorPrograms(n, p)
	}
	if f.err != nil {
		return f.err
	}
	if f.action != nil {
		b.state = b.state.File(f.action, b.name("workstation files: %s", strings.Join(f.names, ", ")))
	}
	u := n.User
	for _, d := range n.Contribution.Dirs {
		b.state = b.state.File(bk.Mkdir(d.Path, d.Mode, stamp[bk.MkdirOption](b.epoch, bk.WithParents(true), bk.WithUIDGID(u.UID, u.GID))...),
			b.name("%s", d.Why))
	}
	return nil
}

// supervisorPrograms writes one supervisor file per feature whose programs
// are new at n (and the run program, which each image may change).
func (f *files) supervisorPrograms(n, p *plan.Node) {
	var groups []string
	byGroup := map[string][]feature.Program{}
	for _, pr := range programs(n) {
		if _, ok := byGroup[pr.Feature]; !ok {
			groups = append(groups, pr.Feature)
		}
		byGroup[pr.Feature] = append(byGroup[pr.Feature], pr)
	}
	had := map[string]bool{}
	parentRun := false
	if usesSupervisor(p) {
		for _, pr := range programs(p) {
			had[pr.Feature] = pr.Feature != runGroup
			parentRun = parentRun || pr.Feature == runGroup
		}
	}
	if _, ok := byGroup[runGroup]; parentRun && !ok {
		// The run command is each image's own: the parent's goes.
		f.rm(path.Join(SupervisorDir, runGroup+".conf"))
	}
	for _, g := range groups {
		if had[g] {
			continue
		}
		var buf bytes.Buffer
		for _, pr := range byGroup[g] {
			if err := f.render("program.conf.tmpl", &buf, pr); err != nil {
				return
			}
			buf.WriteString("\n")
		}
		f.text(path.Join(SupervisorDir, g+".conf"), buf.String(), 0o644)
		if g == runGroup {
			f.text(RunScript, "#!/bin/sh\n# The image's run: command, started by supervisord.\nexec "+shellWords(n.Spec.Run)+"\n", 0o755)
		}
	}
}

// featureEnv sets the environment of the features, and puts the folders
// they add to PATH in front of the base image's PATH.
func (b *builder) featureEnv() {
	n := b.node
	for _, e := range n.Contribution.Env {
		b.setEnv(e.Key, e.Value)
	}
	if p := n.Contribution.Setup.Path; len(p) > 0 {
		b.setEnv("PATH", strings.Join(append(slices.Clone(p), b.basePath()), ":"))
	}
}

// setEnv sets a variable for the following steps and in the image config.
func (b *builder) setEnv(k, v string) {
	b.extraEnv = append(b.extraEnv, plan.EnvVar{Key: k, Value: v})
	b.state = b.state.AddEnv(k, v)
}

// files collects the file actions of one step.
type files struct {
	action *bk.FileAction
	names  []string
	err    error
	epoch  *time.Time
}

func (f *files) mkdir(p string) {
	f.action = f.action.Mkdir(p, 0o755, stamp[bk.MkdirOption](f.epoch, bk.WithParents(true))...)
	f.names = append(f.names, p+"/")
}

// rm removes a file, if it is there.
func (f *files) rm(p string) {
	f.action = f.action.Rm(p, bk.WithAllowNotFound(true))
	f.names = append(f.names, "-"+p)
}

// text writes a file, making its folder first.
func (f *files) text(p, content string, mode fs.FileMode) {
	f.action = f.action.Mkdir(path.Dir(p), 0o755, stamp[bk.MkdirOption](f.epoch, bk.WithParents(true))...).
		Mkfile(p, mode, []byte(content), stamp[bk.MkfileOption](f.epoch)...)
	f.names = append(f.names, p)
}

// asset copies a file of templates/files into the image.
func (f *files) asset(name, dst string, mode fs.FileMode) {
	data, err := fs.ReadFile(templates.Files, "files/"+name)
	if err != nil {
		f.err = fmt.Errorf("template file %s: %w", name, err)
		return
	}
	f.text(dst, string(data), mode)
}

// template renders a text template of templates/files into the image.
func (f *files) template(name, dst string, data any, mode fs.FileMode) {
	var buf bytes.Buffer
	if err := f.render(name, &buf, data); err != nil {
		return
	}
	f.text(dst, buf.String(), mode)
}

func (f *files) render(name string, buf *bytes.Buffer, data any) error {
	t, err := template.ParseFS(templates.Files, "files/"+name)
	if err == nil {
		err = t.Execute(buf, data)
	}
	if err != nil {
		f.err = fmt.Errorf("template %s: %w", name, err)
	}
	return err
}
