package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

// DefaultCudaFlavor is the CUDA flavor of a leg that names none.
const DefaultCudaFlavor = "runtime"

// features resolves the OS, the Python install method, the CUDA leg and the
// registered features of n, inheriting from its parent.
func (p *Plan) features(n *Node, img *spec.Image) error {
	at := func(field string) string { return locate(p.Family, img, field) }
	if par := n.Parent; par != nil {
		n.OS, n.PythonVia, n.Cuda = par.OS, par.PythonVia, par.Cuda
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
	return checkPorts(n, at)
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

// addFeatures gives n its parent's features, except those set per image,
// and those img sets, defaults filled in; a feature that is not per image
// may be set once per chain. Each feature then checks its settings against
// the image, and the image's contribution is gathered.
func addFeatures(n *Node, img *spec.Image, at func(string) string) error {
	n.Features = map[string]feature.Settings{}
	if par := n.Parent; par != nil {
		for k, s := range par.Features {
			if f, ok := feature.Lookup(k); ok && !f.PerImage() {
				n.Features[k] = s
			}
		}
	}
	for _, f := range feature.All() {
		s, ok := img.Features[f.Key()]
		if !ok {
			continue
		}
		if _, had := n.Features[f.Key()]; had {
			return fmt.Errorf("%s: already set by an ancestor of %q; a feature is added once per chain", at(f.Key()), img.Name)
		}
		s = feature.Clone(s)
		feature.ApplyDefaults(s)
		n.Features[f.Key()] = s
	}
	view := n.View()
	for _, f := range feature.All() {
		if _, ok := img.Features[f.Key()]; !ok {
			continue
		}
		if pr := f.Plan(view, n.Features[f.Key()]); len(pr) > 0 {
			return fmt.Errorf("%s: %s", at(joinField(f.Key(), pr[0].Field)), pr[0].Msg)
		}
	}
	n.Contribution = contribution(view)
	return nil
}

// contribution gathers what every feature of img puts into it, in the
// registry's order.
func contribution(img *feature.Image) *feature.Contribution {
	c := &feature.Contribution{}
	for _, f := range feature.All() {
		if s, ok := img.Features[f.Key()]; ok {
			ports, progs := len(c.Ports), len(c.Programs)
			f.Contribute(img, s, c)
			for i := ports; i < len(c.Ports); i++ {
				c.Ports[i].Feature = f.Key()
			}
			for i := progs; i < len(c.Programs); i++ {
				c.Programs[i].Feature = f.Key()
			}
		}
	}
	return c
}

// View is what features see of n.
func (n *Node) View() *feature.Image {
	v := &feature.Image{
		Name: n.Name, User: feature.User{Name: n.User.Name, UID: n.User.UID, GID: n.User.GID}, Home: n.Home,
		Python: n.Python, PythonVia: n.PythonVia, Cuda: n.Cuda, Features: n.Features,
	}
	if n.OS != nil {
		v.OS = n.OS.Name
	}
	if n.Parent != nil {
		v.Parent = n.Parent.Features
		if v.Parent == nil {
			v.Parent = map[string]feature.Settings{}
		}
	}
	return v
}

func joinField(key, field string) string {
	if field == "" {
		return key
	}
	return key + "." + field
}

// checkPorts rejects two services of an image on one port.
func checkPorts(n *Node, at func(string) string) error {
	used := map[int]feature.Port{}
	for _, p := range n.Contribution.Ports {
		other, ok := used[p.Number]
		if !ok {
			used[p.Number] = p
			continue
		}
		// Blame the port this image sets, not one it inherits.
		blame := p
		if _, own := n.Spec.Features[p.Feature]; !own {
			blame = other
		}
		return fmt.Errorf("%s: port %d is used by both %s and %s", at(portField(blame)), p.Number, portName(other), portName(p))
	}
	return nil
}

// portName names a feature's port for errors: "sshd", "desktop.novnc".
func portName(p feature.Port) string {
	if p.Field == "port" {
		return p.Feature
	}
	return joinField(p.Feature, p.Field)
}

// portField is the spec field that sets port p.
func portField(p feature.Port) string { return joinField(p.Feature, p.Field) }

// ServicePorts lists the ports n's services listen on, as "PORT/tcp".
func (n *Node) ServicePorts() []string {
	var out []string
	for _, p := range n.Contribution.Ports {
		out = append(out, strconv.Itoa(p.Number)+"/tcp")
	}
	return out
}
