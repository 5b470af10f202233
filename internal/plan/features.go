package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

// Defaults of the workstation features.
const (
	DefaultSession     = "lxde"
	DefaultBrowser     = "firefox"
	DefaultResolution  = "1920x1080"
	DefaultVNCPort     = 5900
	DefaultSSHPort     = 2222
	DefaultJupyterPort = 8888
	DefaultCudaFlavor  = "runtime"
)

// features resolves the OS, the Python install method, the CUDA leg and the
// desktop, sshd and jupyter features of n, inheriting from its parent.
func (p *Plan) features(n *Node, img *spec.Image) error {
	at := func(field string) string { return locate(p.Family, img, field) }
	if par := n.Parent; par != nil {
		n.OS, n.PythonVia, n.Cuda = par.OS, par.PythonVia, par.Cuda
		n.Desktop, n.Sshd, n.Jupyter = par.Desktop, par.Sshd, par.Jupyter
		n.Tests = slices.Clone(par.Tests)
	} else if err := p.root(n, img, at); err != nil {
		return err
	}
	if err := p.python(n, img, at); err != nil {
		return err
	}
	if err := addFeatures(n, img, at); err != nil {
		return err
	}
	n.Tests = append(n.Tests, img.Test...)
	return checkPorts(n, img, at)
}

// root resolves the OS of a chain's base and its CUDA leg, which may replace
// the base.
func (p *Plan) root(n *Node, img *spec.Image, at func(string) string) error {
	if img.OS != "" {
		n.OS = templates.LookupOS(img.OS)
	} else {
		n.OS = templates.OSOfBase(img.Base)
	}
	c := img.Cuda
	if c == nil || c.Off {
		return nil
	}
	if n.OS == nil {
		return fmt.Errorf("%s: the CUDA table is per OS and does not know base %q; set os: (one of %s)",
			at("cuda"), img.Base, strings.Join(templates.OSNames(), ", "))
	}
	flavor := c.Flavor
	if flavor == "" {
		flavor = DefaultCudaFlavor
	}
	leg, err := templates.Cuda().FindLeg(n.OS.Name, c.Version, c.Cudnn, flavor)
	if err != nil {
		return fmt.Errorf("%s: %w", at("cuda"), err)
	}
	n.Cuda = c.Version
	n.Base = leg.Base
	if c.Base != "" {
		n.Base = c.Base
	}
	return nil
}

// python decides how Python enters the chain: the OS's python3 when its
// version is the one asked for, else a CPython installed by uv.
func (p *Plan) python(n *Node, img *spec.Image, at func(string) string) error {
	if img.Python == "" || (n.Parent != nil && n.Parent.Python != "") {
		return nil
	}
	via := img.PythonVia
	if via == "" {
		via = spec.PythonAuto
	}
	distro := ""
	if n.OS != nil {
		distro = n.OS.Python
	}
	matches := distro == "" || minor(img.Python) == distro
	switch {
	case via == spec.PythonDistro && !matches:
		return fmt.Errorf("%s: python %s via distro, but %s ships python %s; use via: uv or python: %q",
			at("python"), img.Python, n.OS.Name, distro, distro)
	case via == spec.PythonAuto && matches, via == spec.PythonDistro:
		n.PythonVia = spec.PythonDistro
	default:
		n.PythonVia = spec.PythonUV
	}
	return nil
}

// minor returns the major.minor part of a version.
func minor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// addFeatures adds the features img declares; each may appear once in a chain.
func addFeatures(n *Node, img *spec.Image, at func(string) string) error {
	twice := func(field string) error {
		return fmt.Errorf("%s: already set by an ancestor of %q; a feature is added once per chain", at(field), img.Name)
	}
	if d := img.Desktop; d != nil {
		if n.Desktop != nil {
			return twice("desktop")
		}
		v := *d
		v.VNC = true
		v.Session = or(v.Session, DefaultSession)
		v.Browser = or(v.Browser, DefaultBrowser)
		v.Resolution = or(v.Resolution, DefaultResolution)
		v.Port = orInt(v.Port, DefaultVNCPort)
		n.Desktop = &v
	}
	if s := img.Sshd; s != nil {
		if n.Sshd != nil {
			return twice("sshd")
		}
		n.Sshd = &spec.Sshd{Port: orInt(s.Port, DefaultSSHPort)}
	}
	if j := img.Jupyter; j != nil {
		if n.Jupyter != nil {
			return twice("jupyter")
		}
		if n.Python == "" {
			return fmt.Errorf("%s: jupyter needs python: set python on this image or an ancestor", at("jupyter"))
		}
		v := &Jupyter{Lab: j.Lab == nil || *j.Lab, Port: orInt(j.Port, DefaultJupyterPort), Via: or(j.Via, "pip")}
		if v.Via == "distro" && v.Lab {
			return fmt.Errorf("%s: JupyterLab is not packaged by the OS; use via: pip, or lab: false for the OS's Notebook", at("jupyter"))
		}
		if v.Via == "distro" && n.PythonVia == spec.PythonUV {
			return fmt.Errorf("%s: via: distro installs the OS's Jupyter, which the uv-installed python %s cannot import; use via: pip", at("jupyter"), n.Python)
		}
		n.Jupyter = v
	}
	return nil
}

// checkPorts rejects two services of an image on one port.
func checkPorts(n *Node, img *spec.Image, at func(string) string) error {
	used := map[int]string{}
	for _, s := range []struct {
		name string
		port int
	}{{"desktop", portOf(n.Desktop)}, {"sshd", sshPort(n.Sshd)}, {"jupyter", jupyterPort(n.Jupyter)}} {
		if s.port == 0 {
			continue
		}
		if other, ok := used[s.port]; ok {
			return fmt.Errorf("%s: port %d is used by both %s and %s", at(s.name), s.port, other, s.name)
		}
		used[s.port] = s.name
	}
	return nil
}

// ServicePorts lists the ports n's services listen on, as "PORT/tcp".
func (n *Node) ServicePorts() []string {
	var out []string
	for _, p := range []int{portOf(n.Desktop), sshPort(n.Sshd), jupyterPort(n.Jupyter)} {
		if p != 0 {
			out = append(out, strconv.Itoa(p)+"/tcp")
		}
	}
	return out
}

func portOf(d *spec.Desktop) int {
	if d == nil {
		return 0
	}
	return d.Port
}

func sshPort(s *spec.Sshd) int {
	if s == nil {
		return 0
	}
	return s.Port
}

func jupyterPort(j *Jupyter) int {
	if j == nil {
		return 0
	}
	return j.Port
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
