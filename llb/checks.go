package llb

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/wsbuild/wsbuild/internal/feature"
)

// Check is a test run inside a built image. Its state is solved after the
// image and is never exported: a check that fails fails the image's build.
type Check struct {
	// Name says what the check proves, such as "python is 3.11".
	Name string
	// State is the check's run on top of the image.
	State bk.State
}

// checks lists the automatic checks of every feature n has, the start check
// (cmd is the image's command), then the spec's test commands of n and its
// ancestors.
func (b *builder) checks(cmd []string) []Check {
	n := b.node
	u := n.User
	var out []Check
	add := func(name string, root bool, script string, opts ...bk.RunOption) {
		opts = append(opts, bk.AddEnv("HOME", n.Home), bk.Network(bk.NetModeNone),
			bk.WithCustomName(fmt.Sprintf("[%s] check: %s", n.Name, name)))
		if root {
			opts = append(opts, bk.User("0:0"))
		}
		args := bk.Args([]string{"/bin/sh", "-c", "set -eu\n" + script})
		out = append(out, Check{Name: name, State: b.state.Run(append([]bk.RunOption{args}, opts...)...).Root()})
	}
	who := []bk.RunOption{
		bk.AddEnv("CHECK_USER", u.Name), bk.AddEnv("CHECK_UID", strconv.Itoa(u.UID)),
		bk.AddEnv("CHECK_GID", strconv.Itoa(u.GID)), bk.AddEnv("CHECK_HOME", n.Home),
	}
	add(fmt.Sprintf("runs as %s (%d:%d)", u.Name, u.UID, u.GID), false, feature.Script("user.sh"), who...)
	add("no sudo", false, feature.Script("no-sudo.sh"))
	add("no private host key", true, feature.Script("no-host-key.sh"))
	add("entrypoint sets a password and drops to the user", true, feature.Script("entrypoint.sh"), who...)
	if usesSupervisor(n) {
		var names []string
		for _, p := range programs(n) {
			names = append(names, p.Name)
		}
		add("supervisor config parses", false, feature.Script("supervisor.sh"), bk.AddEnv("CHECK_PROGRAMS", strings.Join(names, " ")))
	}
	for _, c := range n.Contribution.Checks {
		var opts []bk.RunOption
		for _, e := range c.Env {
			opts = append(opts, bk.AddEnv(e.Key, e.Value))
		}
		add(c.Name, c.Root, c.Script, opts...)
	}
	out = append(out, b.startCheck(cmd))
	for i, t := range n.Tests {
		add(fmt.Sprintf("test %d: %s", i+1, t), false, t)
	}
	return out
}

// probeMount mounts the folder holding wsbuild-probe at probeDir, and
// names the probe in $PROBE.
func (b *builder) probeMount() []bk.RunOption {
	if p := b.probe; p != nil {
		return []bk.RunOption{bk.AddMount(probeDir, p.state, bk.SourcePath(path.Dir(p.file)), bk.Readonly),
			bk.AddEnv("PROBE", b.probePath())}
	}
	probe := bk.Local(ProbeName, bk.IncludePatterns([]string{ProbeBinary}), bk.SharedKeyHint(ProbeName), bk.LocalUniqueID(ProbeName))
	return []bk.RunOption{bk.AddMount(probeDir, probe, bk.Readonly), bk.AddEnv("PROBE", b.probePath())}
}

// ProbeName is the local source the start check mounts the static
// wsbuild-probe binary from: the solver must provide a folder holding
// ProbeBinary under this name.
const ProbeName = "wsbuild-probe"

// ProbeBinary is the probe's file name in that folder.
const ProbeBinary = "wsbuild-probe"

// probeDir is where the start check sees the probe.
const probeDir = "/run/wsbuild/probe"

// startCheck starts the image the way a platform does: the entrypoint as
// the user, with no network but loopback and with JUPYTER_TOKEN,
// VNC_PASSWORD and SSH_AUTHORIZED_KEYS set, running cmd; then the probe,
// mounted from outside the image, proves every service the features
// declare answers (templates/files/checks/start.sh). An image without
// services proves its entrypoint runs to the end.
func (b *builder) startCheck(cmd []string) Check {
	n := b.node
	u := n.User
	probes := n.Contribution.Probes
	name := "starts with no network"
	script := "set -eu\n" + InitPath + " true"
	opts := []bk.RunOption{bk.User(fmt.Sprintf("%d:%d", u.UID, u.GID))}
	if len(probes) > 0 {
		name = "serves at start: " + strings.Join(probes, " ")
		args := append(append(slices.Clone(probes), "--"), cmd...)
		script = "set -- " + shellWords(args) + "\n" + feature.Script("start.sh")
		opts = append(opts, b.probeMount()...)
	}
	opts = append(opts, bk.Args([]string{"/bin/sh", "-c", script}), bk.AddEnv("HOME", n.Home),
		bk.Network(bk.NetModeNone), bk.WithCustomName(fmt.Sprintf("[%s] check: %s", n.Name, name)))
	return Check{Name: name, State: b.state.Run(opts...).Root()}
}
