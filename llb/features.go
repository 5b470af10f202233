package llb

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"text/template"
	"time"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/templates"
)

// uvCacheDir is where uv's download cache mount is attached during builds.
const uvCacheDir = "/var/cache/wsbuild-uv"

// uvPythonDir is where uv installs standalone CPython builds.
const uvPythonDir = "/opt/python"

// uv installs a standalone CPython with uv where Python enters the chain
// with via: uv, and makes the user's virtual environment with it.
func (b *builder) uv(bases map[string]Base) error {
	n := b.node
	if !entersPython(n) || n.PythonVia != "uv" {
		return nil
	}
	base, ok := bases[templates.UVImage]
	if !ok {
		return fmt.Errorf("image %q was not resolved", templates.UVImage)
	}
	uv := bk.Image(base.Ref, bk.Platform(b.platform))
	b.state = b.state.File(bk.Copy(uv, "/uv", "/usr/local/bin/uv", stamp[bk.CopyOption](b.epoch, &bk.CopyInfo{CreateDestPath: true})...),
		b.name("uv from %s", templates.UVImage))
	u := n.User
	script := fmt.Sprintf(`uv python install %[1]s
uv venv --seed --python %[1]s %[2]s
chown -R %[3]d:%[4]d %[2]s`, shellQuote(n.Python), VenvDir, u.UID, u.GID)
	b.sh(script, bk.User("0:0"),
		bk.AddEnv("UV_PYTHON_INSTALL_DIR", uvPythonDir),
		bk.AddEnv("UV_PYTHON_PREFERENCE", "only-managed"),
		bk.AddEnv("UV_CACHE_DIR", uvCacheDir),
		bk.AddMount(uvCacheDir, bk.Scratch(), bk.AsPersistentCacheDir("wsbuild/uv", bk.CacheMountShared)),
		b.name("python %s from uv, virtual environment in %s", n.Python, VenvDir))
	return nil
}

// featureFiles writes what the features entering at this image need: the
// entrypoint at the chain's root, and each feature's programs, init script
// and configuration.
func (b *builder) featureFiles() error {
	n, p := b.node, b.node.Parent
	f := &files{epoch: b.epoch}
	if p == nil {
		f.asset("init.sh", InitPath, 0o755)
		f.text(UserFile, n.User.Name+"\n", 0o644)
		f.mkdir(InitDir)
		f.mkdir(SupervisorDir)
	}
	if n.Desktop != nil && (p == nil || p.Desktop == nil) {
		for _, s := range []string{"desktop-x", "desktop-vnc", "desktop-session"} {
			f.asset("bin/"+s, path.Join(ProgramDir, s), 0o755)
		}
		f.asset("init.d/desktop.sh", path.Join(InitDir, "desktop.sh"), 0o644)
	}
	if n.Sshd != nil && (p == nil || p.Sshd == nil) {
		f.asset("bin/sshd", path.Join(ProgramDir, "sshd"), 0o755)
		f.asset("init.d/sshd.sh", path.Join(InitDir, "sshd.sh"), 0o644)
		f.template("sshd_config.tmpl", SshdConfig, map[string]any{"Port": n.Sshd.Port, "User": n.User.Name})
	}
	if n.Jupyter != nil && (p == nil || p.Jupyter == nil) {
		f.asset("bin/jupyter", path.Join(ProgramDir, "jupyter"), 0o755)
		f.asset("init.d/jupyter.sh", path.Join(InitDir, "jupyter.sh"), 0o644)
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
	if n.Sshd != nil && (p == nil || p.Sshd == nil) {
		// The container's own host key is made at start into a folder the
		// user owns; the apt step removed the package's keys.
		u := n.User
		b.state = b.state.File(bk.Mkdir(HostKeyDir, 0o700, stamp[bk.MkdirOption](b.epoch, bk.WithParents(true), bk.WithUIDGID(u.UID, u.GID))...),
			b.name("sshd host key folder %s", HostKeyDir))
	}
	return nil
}

// supervisorPrograms writes one supervisor file per feature whose programs
// are new at n (and the run program, which each image may change).
func (f *files) supervisorPrograms(n, p *plan.Node) {
	groups := map[string][]program{}
	for _, pr := range programs(n) {
		g := pr.Name
		if g == "x" || g == "vnc" || g == "session" {
			g = "desktop"
		}
		groups[g] = append(groups[g], pr)
	}
	had := func(g string) bool {
		if !usesSupervisor(p) {
			return false
		}
		switch g {
		case "desktop":
			return p.Desktop != nil
		case "sshd":
			return p.Sshd != nil
		case "jupyter":
			return p.Jupyter != nil
		}
		return false
	}
	for _, g := range []string{"desktop", "sshd", "jupyter", "run"} {
		if len(groups[g]) == 0 || had(g) {
			continue
		}
		var buf bytes.Buffer
		for _, pr := range groups[g] {
			if err := f.render("program.conf.tmpl", &buf, pr); err != nil {
				return
			}
			buf.WriteString("\n")
		}
		f.text(path.Join(SupervisorDir, g+".conf"), buf.String(), 0o644)
	}
}

// featureEnv sets the environment the features' programs read.
func (b *builder) featureEnv() {
	n := b.node
	if n.Cuda != "" {
		b.setEnv("NVIDIA_VISIBLE_DEVICES", "all")
		b.setEnv("NVIDIA_DRIVER_CAPABILITIES", "compute,utility")
	}
	if d := n.Desktop; d != nil {
		b.setEnv("DISPLAY", ":1")
		b.setEnv("WSBUILD_RESOLUTION", d.Resolution)
		b.setEnv("WSBUILD_SESSION", d.Session)
		b.setEnv("WSBUILD_VNC_PORT", strconv.Itoa(d.Port))
	}
	if j := n.Jupyter; j != nil {
		app := "lab"
		if !j.Lab {
			app = "notebook"
		}
		b.setEnv("WSBUILD_JUPYTER_APP", app)
		b.setEnv("WSBUILD_JUPYTER_PORT", strconv.Itoa(j.Port))
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
func (f *files) template(name, dst string, data any) {
	var buf bytes.Buffer
	if err := f.render(name, &buf, data); err != nil {
		return
	}
	f.text(dst, buf.String(), 0o644)
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
