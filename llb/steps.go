package llb

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	bk "github.com/moby/buildkit/client/llb"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/localfs"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

// VenvDir is where the user's Python virtual environment lives.
const VenvDir = feature.VenvDir

// pipCacheDir is where pip's cache mount is attached during builds.
const pipCacheDir = "/var/cache/wsbuild-pip"

// contextMount is where build steps see files of the build context.
const contextMount = "/run/wsbuild/context"

// builder appends the build steps of one image to its state.
type builder struct {
	node     *plan.Node
	state    bk.State
	platform ocispec.Platform
	// inheritedEnv is the environment of the base or parent image config.
	inheritedEnv []string
	// extraEnv is environment the compiler itself adds to the image config.
	extraEnv []plan.EnvVar
	// epoch is the source date epoch; nil when unset.
	epoch *time.Time
	// probe is where start checks find wsbuild-probe; nil for the local
	// source ProbeName.
	probe *probeSource
}

func (b *builder) name(format string, a ...any) bk.ConstraintsOpt {
	return bk.WithCustomName(fmt.Sprintf("[%s] ", b.node.Name) + fmt.Sprintf(format, a...))
}

func (b *builder) sh(script string, opts ...bk.RunOption) {
	all := append([]bk.RunOption{bk.Args([]string{"/bin/sh", "-c", "set -eu\n" + script})}, epochEnv(b.epoch)...)
	all = append(all, opts...)
	b.state = b.state.Run(all...).Root()
}

// user creates the non-root account where the chain starts (the planner
// keeps it the same below), taking over an account or group that already
// holds the uid or gid (Ubuntu images ship one with uid 1000).
func (b *builder) user() {
	u := b.node.User
	if b.node.Parent != nil {
		return
	}
	script := fmt.Sprintf(`name=%[1]s uid=%[2]d gid=%[3]d home=%[4]s
g=$(getent group "$gid" | cut -d: -f1 || true)
if [ -z "$g" ]; then groupadd -g "$gid" "$name"; elif [ "$g" != "$name" ]; then groupmod -n "$name" "$g"; fi
u=$(getent passwd "$uid" | cut -d: -f1 || true)
if [ -z "$u" ]; then useradd -l -m -u "$uid" -g "$gid" -d "$home" -s /bin/bash "$name"
elif [ "$u" != "$name" ]; then usermod -l "$name" -g "$gid" -d "$home" -m "$u"; fi
mkdir -p "$home" && chown "$uid:$gid" "$home"`, shellQuote(u.Name), u.UID, u.GID, shellQuote(b.node.Home))
	b.sh(reproducible(b.epoch, script), bk.User("0:0"), b.name("create user %s (%d:%d)", u.Name, u.UID, u.GID))
}

// defaultPath is PATH for a base image whose config sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// basePath is the inherited PATH without the venv, so a base's own entries
// (such as /usr/local/cuda/bin) are kept.
func (b *builder) basePath() string {
	for _, kv := range b.inheritedEnv {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			return strings.TrimPrefix(v, VenvDir+"/bin:")
		}
	}
	return defaultPath
}

// featurePip installs the pip packages of the features entering here into
// the venv, as the user, with pip's cache on a cache mount owned by the user.
func (b *builder) featurePip() {
	b.pipGroup(b.node.Contribution.Pip, "", nil)
}

// ownPip installs the image's own pip: packages and requirements, in steps
// of their own after the features' (see compileNode), so editing them
// installs nothing else again. They come from the image's pip_index:, when
// it has one.
func (b *builder) ownPip() {
	b.pipGroup(b.node.Spec.Pip, b.node.Spec.Requirements, b.node.Spec.PipIndex)
}

// pipGroup installs pkgs and the requirements file req ("" for none) into
// the venv as the user, with pip's cache on a cache mount owned by the user.
// PyTorch's packages come from the PyTorch index of the chain's leg (…/cpu or
// …/cu124), in a step of their own before the rest; the rest come from
// index when it is not nil (see indexOpts).
func (b *builder) pipGroup(pkgs []string, req string, index *spec.PipIndex) {
	torch, rest := splitPip(b.node, pkgs)
	if len(torch) > 0 {
		index := templates.Cuda().PytorchIndex + "/" + templates.PytorchTag(b.node.View().Cuda())
		b.pipStep("", append([]string{"--index-url", index}, torch...), nil,
			b.name("pip install %s from %s", strings.Join(torch, " "), index))
	}
	if len(rest) == 0 && req == "" {
		return
	}
	label := strings.Join(append(slices.Clone(rest), reqName(req)...), " ")
	var opts []bk.RunOption
	var args []string
	if req != "" {
		// Mounted from the build context, not written into the LLB: an index
		// URL with a token in requirements.txt stays out of the graph and
		// every layer. The file's content is part of the input digest.
		req = path.Clean(req)
		sent := []string{req}
		for _, e := range b.node.Spec.RequirementsIncludes {
			sent = append(sent, e.Path)
		}
		ctx := bk.Local(ContextName, bk.IncludePatterns(localfs.Patterns(sent)), bk.SharedKeyHint(ContextName), bk.LocalUniqueID(ContextName))
		opts = append(opts, bk.AddMount(contextMount, ctx, bk.Readonly))
		args = append(args, "-r", path.Join(contextMount, req))
	}
	args = append(args, rest...)
	if index == nil {
		b.pipStep("", args, opts, b.name("pip install %s", label))
		return
	}
	b.pipStep(indexScript, args, append(opts, indexOpts(index)...), b.name("pip install %s from %s", label, index.URL))
}

// pipSecretEnv is the variable a pip step with an index sees its secret in.
const pipSecretEnv = "WSBUILD_PIP_SECRET"

// indexScript sets PIP_INDEX_URL, for pip only, to the index's URL with the
// user and the secret in it, quoted by Python: the secret is in the step's
// environment (a BuildKit secret), never in the build graph, its name, a
// layer or the image's config; pip masks it in what it prints.
const indexScript = `PIP_INDEX_URL=$(` + VenvDir + `/bin/python -c '
import os, urllib.parse as p
u = p.urlsplit(os.environ["WSBUILD_PIP_INDEX"])
cred = p.quote(os.environ["` + pipSecretEnv + `"], safe="")
if os.environ.get("WSBUILD_PIP_USER"):
    cred = p.quote(os.environ["WSBUILD_PIP_USER"], safe="") + ":" + cred
print(p.urlunsplit((u.scheme, cred + "@" + u.netloc, u.path, u.query, u.fragment)))')
export PIP_INDEX_URL
`

// indexOpts hand a pip step index's URL and user, and its secret as
// pipSecretEnv.
func indexOpts(index *spec.PipIndex) []bk.RunOption {
	return []bk.RunOption{
		bk.AddEnv("WSBUILD_PIP_INDEX", index.URL),
		bk.AddEnv("WSBUILD_PIP_USER", index.User),
		bk.AddSecretWithDest(index.Secret, nil, bk.SecretAsEnvName(pipSecretEnv)),
	}
}

// pipStep runs pip install with args as the user, after script (which may
// set pip's environment).
func (b *builder) pipStep(script string, args []string, extra []bk.RunOption, name bk.ConstraintsOpt) {
	u := b.node.User
	opts := []bk.RunOption{
		bk.User(fmt.Sprintf("%d:%d", u.UID, u.GID)),
		bk.AddEnv("HOME", b.node.Home),
		b.cacheMount(pipCacheDir, fmt.Sprintf("wsbuild/pip/%d", u.UID), u.UID, u.GID),
		name,
	}
	cmd := append([]string{VenvDir + "/bin/pip", "install", "--disable-pip-version-check", "--cache-dir", pipCacheDir}, args...)
	b.sh(script+shellWords(cmd), append(opts, extra...)...)
}

// splitPip splits pip packages of n into those of the PyTorch index and the
// rest; on a CUDA leg, packages with a CUDA extra get it.
func splitPip(n *plan.Node, pkgs []string) (torch, rest []string) {
	table := templates.Cuda()
	cuda := n.View().Cuda()
	for _, p := range pkgs {
		name := pipName(p)
		switch {
		case slices.Contains(table.PytorchPackages, name):
			torch = append(torch, p)
		case cuda != "" && table.CudaExtras[name] != "" && !strings.Contains(p, "["):
			rest = append(rest, p[:len(name)]+"["+table.CudaExtras[name]+"]"+p[len(name):])
		default:
			rest = append(rest, p)
		}
	}
	return torch, rest
}

// pipName is the distribution name of a requirement such as "torch==2.4" or
// "tensorflow[and-cuda]>=2", lower-cased.
func pipName(req string) string {
	end := strings.IndexAny(req, "[=<>!~;@ ")
	if end < 0 {
		end = len(req)
	}
	return strings.ToLower(req[:end])
}

func reqName(r string) []string {
	if r == "" {
		return nil
	}
	return []string{"-r " + r}
}

// volumes creates the user's volume folders, owned by the user.
func (b *builder) volumes() {
	var have []string
	if b.node.Parent != nil {
		have = b.node.Parent.Volumes
	}
	u := b.node.User
	var fa *bk.FileAction
	for _, v := range b.node.Volumes {
		if slices.Contains(have, v) {
			continue
		}
		p := path.Join(b.node.Home, v)
		opts := stamp[bk.MkdirOption](b.epoch, bk.WithParents(true), bk.WithUIDGID(u.UID, u.GID))
		if fa == nil {
			fa = bk.Mkdir(p, 0o755, opts...)
		} else {
			fa = fa.Mkdir(p, 0o755, opts...)
		}
	}
	if fa != nil {
		b.state = b.state.File(fa, b.name("volume folders under %s", b.node.Home))
	}
}

// copies copies files from the build context, owned by the user.
func (b *builder) copies() {
	s := b.node.Spec
	if len(s.Copy) == 0 {
		return
	}
	var srcs []string
	for _, c := range s.Copy {
		if sent, ok := b.node.Sources[c.Src]; ok {
			srcs = append(srcs, sent...)
		} else {
			srcs = append(srcs, strings.TrimSuffix(path.Clean(c.Src), "/"))
		}
	}
	// Escaped: a file named "a[1].py" is that file, not a pattern.
	local := bk.Local(ContextName, bk.IncludePatterns(localfs.Patterns(srcs)), bk.SharedKeyHint(ContextName), bk.LocalUniqueID(ContextName))
	u := b.node.User
	for _, c := range s.Copy {
		dst := c.Dst
		if !path.IsAbs(dst) {
			dst = path.Join(b.node.Workdir, dst) + suffixSlash(dst)
		}
		b.state = b.state.File(bk.Copy(local, path.Clean(c.Src), dst, stamp[bk.CopyOption](b.epoch, &bk.CopyInfo{
			CopyDirContentsOnly: true, CreateDestPath: true, FollowSymlinks: true,
		}, bk.WithUIDGID(u.UID, u.GID))...), b.name("copy %s -> %s", c.Src, dst))
	}
}

func suffixSlash(p string) string {
	if strings.HasSuffix(p, "/") {
		return "/"
	}
	return ""
}

// env makes the spec's environment visible to this image's own steps and
// to those of its children.
func (b *builder) env() {
	for _, kv := range b.node.Env {
		b.state = b.state.AddEnv(kv.Key, kv.Value)
	}
}

// finish creates a custom working directory for the user and leaves the
// state running as the user there.
func (b *builder) finish() {
	u := b.node.User
	inherited := b.node.Parent != nil && b.node.Parent.Workdir == b.node.Workdir
	if b.node.Workdir != b.node.Home && !inherited {
		b.state = b.state.File(bk.Mkdir(b.node.Workdir, 0o755, stamp[bk.MkdirOption](b.epoch, bk.WithParents(true), bk.WithUIDGID(u.UID, u.GID))...),
			b.name("working directory %s", b.node.Workdir))
	}
	b.state = b.state.User(fmt.Sprintf("%d:%d", u.UID, u.GID)).Dir(b.node.Workdir)
}

// featureSteps runs the build steps of the image's features (its own
// steps: among them), in order, each named in progress and errors.
func (b *builder) featureSteps() {
	for _, s := range b.node.Contribution.Steps {
		b.step(s)
	}
}

// setup copies the files the features entering here take from other
// images, then runs their setup steps (Python's virtual environment).
func (b *builder) setup(bases map[string]Base) error {
	for _, f := range b.node.Contribution.Setup.ImageFiles {
		base, ok := bases[f.Image]
		if !ok {
			return fmt.Errorf("image %q was not resolved", f.Image)
		}
		from := bk.Image(base.Ref, bk.Platform(b.platform))
		b.state = b.state.File(bk.Copy(from, f.Src, f.Path, stamp[bk.CopyOption](b.epoch, &bk.CopyInfo{CreateDestPath: true})...),
			b.name("%s from %s", path.Base(f.Path), f.Image))
	}
	for _, s := range b.node.Contribution.Setup.Steps {
		b.step(s)
	}
	return nil
}

// step runs one feature step as root or as the user, in its working
// directory (the home folder by default), with its caches mounted.
func (b *builder) step(s feature.Step) {
	n := b.node
	u := n.User
	opts := []bk.RunOption{b.name("%s", s.Name)}
	uid, gid := u.UID, u.GID
	if s.Root {
		opts = append(opts, bk.User("0:0"), bk.AddEnv("HOME", "/root"))
		uid, gid = 0, 0
	} else {
		opts = append(opts, bk.User(fmt.Sprintf("%d:%d", u.UID, u.GID)), bk.AddEnv("HOME", n.Home))
	}
	wd := s.Workdir
	if wd == "" {
		wd = n.Home
	}
	opts = append(opts, bk.Dir(wd))
	for _, e := range s.Env {
		opts = append(opts, bk.AddEnv(e.Key, e.Value))
	}
	for _, c := range s.Caches {
		id := fmt.Sprintf("wsbuild/steps/%d%s", u.UID, c)
		if s.Root {
			id = "wsbuild/steps/root" + c
		}
		opts = append(opts, b.cacheMount(c, id, uid, gid))
	}
	for _, id := range s.Secrets {
		opts = append(opts, bk.AddSecret(path.Join(secretsDir, id), bk.SecretID(id), bk.SecretFileOpt(uid, gid, 0o400)))
	}
	b.sh(s.Script, opts...)
}

// secretsDir is where a step finds the secrets it asks for, one file each,
// as BuildKit mounts them by default.
const secretsDir = "/run/secrets"

// cacheMount mounts the shared cache id at dir, its root owned by uid:gid so
// that a step run as that account can write to it.
func (b *builder) cacheMount(dir, id string, uid, gid int) bk.RunOption {
	base := bk.Scratch().File(bk.Mkdir("/cache", 0o755, stamp[bk.MkdirOption](b.epoch, bk.WithUIDGID(uid, gid))...))
	return bk.AddMount(dir, base, bk.SourcePath("/cache"), bk.AsPersistentCacheDir(id, bk.CacheMountShared))
}
