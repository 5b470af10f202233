package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

// features resolves the OS and the registered features of n, inheriting
// from its parent; a feature that decides what the chain starts from (the
// CUDA leg) may replace its base.
func (p *Plan) features(n *Node, img *spec.Image) error {
	at := func(field string) string { return locate(p.Family, img, field) }
	if par := n.Parent; par != nil {
		n.OS = par.OS
		n.Tests = slices.Clone(par.Tests)
	} else if img.OS != "" {
		n.OS = templates.LookupOS(img.OS)
	} else {
		n.OS = templates.OSOfBase(img.Base)
	}
	if err := addFeatures(n, img, at); err != nil {
		return err
	}
	if n.Parent == nil && n.Contribution.Setup.Base != "" {
		n.Base = n.Contribution.Setup.Base
	}
	view := n.View()
	if (len(img.Pip) > 0 || img.Requirements != "") && !view.Has("python") {
		return fmt.Errorf("%s: pip packages need python: set python on this image or an ancestor", at("pip"))
	}
	if err := checkPythonApt(view, img, at); err != nil {
		return err
	}
	if err := checkEnv(n, img, at); err != nil {
		return err
	}
	n.Tests = append(n.Tests, img.Test...)
	return checkPorts(n, at)
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
	for _, key := range img.Off {
		if _, had := n.Features[key]; had {
			return fmt.Errorf("%s: false cannot take away the %s parent %q has: an image adds to its parent; build this image on an image without %s",
				at(key), key, img.From, key)
		}
	}
	for _, f := range feature.All() {
		s, ok := img.Features[f.Key()]
		if !ok {
			continue
		}
		s = feature.Clone(s)
		feature.ApplyDefaults(s)
		if had, ok := n.Features[f.Key()]; ok {
			if err := sameAsParent(f.Key(), img.From, had, s); err != nil {
				return fmt.Errorf("%s: %v", at(f.Key()), err)
			}
			continue
		}
		n.Features[f.Key()] = s
	}
	view := n.View()
	for _, f := range feature.All() {
		if _, ok := img.Features[f.Key()]; !ok || !view.Enters(f.Key()) {
			continue
		}
		if pr := f.Plan(view, n.Features[f.Key()]); len(pr) > 0 {
			return fmt.Errorf("%s: %s", at(joinField(f.Key(), pr[0].Field)), pr[0].Msg)
		}
	}
	n.Contribution = contribution(view)
	return nil
}

// sameAsParent accepts a feature an image sets again with the settings its
// parent has (python: "3.11" written on every image of a chain), and
// otherwise says that a feature is set once per chain.
func sameAsParent(key, parentName string, parent, own feature.Settings) error {
	p, err1 := json.Marshal(parent)
	o, err2 := json.Marshal(own)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if bytes.Equal(p, o) {
		return nil
	}
	return fmt.Errorf("%s is set once per chain: parent %q has %s, not %s", key, parentName, p, o)
}

// contribution gathers what every feature of img puts into it, in the
// registry's order.
func contribution(img *feature.Image) *feature.Contribution {
	c := &feature.Contribution{}
	for _, f := range feature.All() {
		if s, ok := img.Features[f.Key()]; ok {
			ports, progs, files := len(c.Ports), len(c.Programs), len(c.Setup.ImageFiles)
			f.Contribute(img, s, c)
			for i := files; i < len(c.Setup.ImageFiles); i++ {
				c.Setup.ImageFiles[i].Feature = f.Key()
			}
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
		Base: n.Spec.Base, Features: n.Features,
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
	view := n.View()
	for _, p := range n.Contribution.Ports {
		other, ok := used[p.Number]
		if !ok {
			used[p.Number] = p
			continue
		}
		// Blame the port this image adds, not one it inherits (or restates).
		blame := p
		if !view.Enters(p.Feature) {
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

// osPythonPackages are the python3-* packages that are not modules for the
// OS's Python to import: a chain whose Python uv installs may want them.
var osPythonPackages = []string{"python3-dev", "python3-venv", "python3-pip"}

// checkPythonApt refuses python3-* OS packages on a chain whose Python uv
// installs: they are modules of the OS's python3, which the venv's Python
// cannot import.
func checkPythonApt(view *feature.Image, img *spec.Image, at func(string) string) error {
	if view.PythonVia() != feature.PythonUV {
		return nil
	}
	for i, pkg := range img.Apt {
		name, _, _ := strings.Cut(pkg, "=")
		if strings.HasPrefix(name, "python3-") && !slices.Contains(osPythonPackages, name) {
			return fmt.Errorf("%s: %s is a module of the OS's python3, which the venv's python %s (installed by uv) cannot import; install it with pip: instead",
				at(fmt.Sprintf("apt.%d", i)), pkg, view.Python())
		}
	}
	return nil
}

// Notes says what a user may not expect of the plan: where a Python that
// is not the OS's comes from, which needs the network at build time.
func (p *Plan) Notes() []string {
	var out []string
	for _, n := range p.Nodes {
		view := n.View()
		if !view.Enters("python") || view.PythonVia() != feature.PythonUV {
			continue
		}
		why := "via: uv"
		if n.OS != nil && n.OS.Python != "" && n.OS.Python != view.Python() {
			why = fmt.Sprintf("%s ships python %s", n.OS.Name, n.OS.Python)
		}
		out = append(out, fmt.Sprintf("%s: python %s (%s) comes from uv, copied from %s, which downloads it at build time from the python-build-standalone releases: the build needs to reach both",
			locate(p.Family, n.Spec, "python"), view.Python(), why, templates.UVImage))
	}
	return out
}

// checkEnv refuses spec env: variables the image's features set (and PATH
// where a feature puts folders in front of it): the feature's value would
// hold during the build and the spec's in the image, so they would differ.
func checkEnv(n *Node, img *spec.Image, at func(string) string) error {
	owned := map[string]bool{}
	for _, e := range n.Contribution.Env {
		owned[e.Key] = true
	}
	if len(n.Contribution.Setup.Path) > 0 {
		owned["PATH"] = true
	}
	for _, kv := range n.Env {
		if !owned[kv.Key] {
			continue
		}
		// Blame the spec's variable if this image sets it, else what enters here.
		field := "env"
		if _, own := img.Env[kv.Key]; own {
			field = "env." + kv.Key
		} else if entering := enteringFeatures(n); len(entering) > 0 {
			field = entering[0]
		}
		return fmt.Errorf("%s: %s is set by the image's features (%s); set the feature's own settings instead",
			at(field), kv.Key, strings.Join(slices.Sorted(maps.Keys(n.Features)), ", "))
	}
	return nil
}

// enteringFeatures lists the features new at n, in the registry's order.
func enteringFeatures(n *Node) []string {
	view := n.View()
	var out []string
	for _, k := range feature.Keys() {
		if view.Enters(k) {
			out = append(out, k)
		}
	}
	return out
}
