package llb

import (
	"slices"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/templates"
)

// Paths of what the features install.
const (
	// InitPath is the entrypoint of every image.
	InitPath = "/usr/local/bin/wsbuild-init"
	// ProgramDir holds the scripts supervisord (or the image) runs.
	ProgramDir = feature.ProgramDir
	// SupervisordConf is supervisord's configuration.
	SupervisordConf = "/etc/wsbuild/supervisord.conf"
	// SupervisorDir holds one program file per feature.
	SupervisorDir = "/etc/wsbuild/supervisor"
	// InitDir holds the scripts the entrypoint sources at start.
	InitDir = feature.InitDir
	// SshdConfig is the sshd configuration the sshd feature writes.
	SshdConfig = feature.SshdConfig
	// HostKeyDir is where the container's sshd host key is made at start.
	HostKeyDir = feature.HostKeyDir
	// UserFile names the image's account, for the entrypoint.
	UserFile = "/etc/wsbuild/user"
)

// runGroup is the supervisor group of the image's own run command.
const runGroup = "run"

// RunScript starts the image's own run: command under supervisord. The
// command goes into this script, quoted for the shell, never into
// supervisord's configuration: a newline or a % in it cannot add a program
// or break the configuration.
const RunScript = ProgramDir + "/run"

// programs lists n's long-running processes, in start order: those of its
// features and, when it has any, the run command of the image itself.
func programs(n *plan.Node) []feature.Program {
	if n == nil {
		return nil
	}
	out := slices.Clone(n.Contribution.Programs)
	if len(out) > 0 && len(n.Spec.Run) > 0 {
		out = append(out, feature.Program{Feature: runGroup, Name: "run", Command: RunScript, Priority: 90, Restart: "false"})
	}
	return out
}

// usesSupervisor reports whether n runs its programs under supervisord.
func usesSupervisor(n *plan.Node) bool {
	return n != nil && len(programs(n)) > 1
}

// command is n's default command: supervisord for several programs, the one
// program, or the run command (nil: inherit).
func command(n *plan.Node) []string {
	ps := programs(n)
	switch {
	case len(ps) > 1:
		return []string{"supervisord", "-c", SupervisordConf}
	case len(ps) == 1:
		return []string{ps[0].Command}
	}
	return n.Spec.Run
}

// packagesFor returns the OS's packages for a need of a feature; an image
// whose OS the table does not know gets Debian 12's names.
func packagesFor(n *plan.Node, need string) []string {
	os := n.OS
	if os == nil {
		os = templates.LookupOS("debian12")
	}
	if os == nil {
		return nil
	}
	return os.Packages[need]
}

// featurePackages lists the OS packages of the features
// entering the chain at n, and supervisor when n is the first image of its
// chain to run several programs.
func featurePackages(n *plan.Node) []string {
	var pkgs []string
	add := func(need string) { pkgs = append(pkgs, packagesFor(n, need)...) }
	for _, need := range n.Contribution.Needs {
		add(need)
	}
	pkgs = append(pkgs, n.Contribution.Apt...)
	if usesSupervisor(n) && !usesSupervisor(n.Parent) {
		add("supervisor")
	}
	return pkgs
}
