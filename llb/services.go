package llb

import (
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/templates"
)

// Paths of what the features install.
const (
	// InitPath is the entrypoint of every image.
	InitPath = "/usr/local/bin/wsbuild-init"
	// ProgramDir holds the scripts supervisord (or the image) runs.
	ProgramDir = "/usr/local/lib/wsbuild"
	// SupervisordConf is supervisord's configuration.
	SupervisordConf = "/etc/wsbuild/supervisord.conf"
	// SupervisorDir holds one program file per feature.
	SupervisorDir = "/etc/wsbuild/supervisor"
	// InitDir holds the scripts the entrypoint sources at start.
	InitDir = "/etc/wsbuild/init.d"
	// SshdConfig is the sshd configuration the sshd feature writes.
	SshdConfig = "/etc/wsbuild/sshd_config"
	// HostKeyDir is where the container's sshd host key is made at start.
	HostKeyDir = "/var/lib/wsbuild/ssh"
	// UserFile names the image's account, for the entrypoint.
	UserFile = "/etc/wsbuild/user"
)

// program is one long-running process of an image.
type program struct {
	Name     string
	Command  string
	Priority int
	Restart  string
}

// programs lists n's long-running processes, in start order: those of its
// features and, when it has any, the run command of the image itself.
func programs(n *plan.Node) []program {
	var out []program
	if n.Desktop != nil {
		out = append(out,
			program{"x", ProgramDir + "/desktop-x", 10, "true"},
			program{"vnc", ProgramDir + "/desktop-vnc", 20, "true"},
			program{"session", ProgramDir + "/desktop-session", 30, "true"})
	}
	if n.Sshd != nil {
		out = append(out, program{"sshd", ProgramDir + "/sshd", 40, "true"})
	}
	if n.Jupyter != nil {
		out = append(out, program{"jupyter", ProgramDir + "/jupyter", 50, "true"})
	}
	if len(out) > 0 && len(n.Spec.Run) > 0 {
		out = append(out, program{"run", shellWords(n.Spec.Run), 90, "false"})
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

// featurePackages lists the OS packages of the features and Python that
// enter the chain at n.
func featurePackages(n *plan.Node) []string {
	var pkgs []string
	add := func(need string) { pkgs = append(pkgs, packagesFor(n, need)...) }
	if entersPython(n) {
		if n.PythonVia == "uv" {
			add("uv")
		} else {
			add("python")
		}
	}
	p := n.Parent
	if n.Desktop != nil && (p == nil || p.Desktop == nil) {
		add("desktop")
		add(n.Desktop.Session)
		if n.Desktop.Browser != "none" {
			add(n.Desktop.Browser)
		}
	}
	if n.Sshd != nil && (p == nil || p.Sshd == nil) {
		add("sshd")
	}
	if n.Jupyter != nil && (p == nil || p.Jupyter == nil) && n.Jupyter.Via == "distro" {
		add("notebook")
	}
	if usesSupervisor(n) && !usesSupervisor(p) {
		add("supervisor")
	}
	return pkgs
}

// entersPython reports whether n is where Python enters its chain.
func entersPython(n *plan.Node) bool {
	return n.Python != "" && (n.Parent == nil || n.Parent.Python == "")
}
