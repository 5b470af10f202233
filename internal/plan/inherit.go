package plan

import (
	"fmt"
	"path"
	"slices"
	"sort"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// selectImages returns the names to build, parents first and otherwise in the
// order the file declares them. With no selection every image is built; with
// one, the named images and their ancestors are.
func selectImages(f *spec.Family, selection []string) ([]string, error) {
	want := map[string]bool{}
	if len(selection) == 0 {
		for _, n := range f.Names {
			want[n] = true
		}
	}
	for _, name := range selection {
		if _, ok := f.Images[name]; !ok {
			return nil, fmt.Errorf("no image %q in %s (images: %v)", name, f.File, f.Names)
		}
		for n := name; n != "" && !want[n]; n = f.Images[n].From {
			want[n] = true
		}
	}
	var order []string
	done := map[string]bool{}
	var visit func(name string, depth int) error
	visit = func(name string, depth int) error {
		if done[name] {
			return nil
		}
		if depth > len(f.Images) {
			return fmt.Errorf("%s: images.%s.from: cycle", f.At("images."+name+".from"), name)
		}
		img, ok := f.Images[name]
		if !ok {
			return fmt.Errorf("no image %q in %s", name, f.File)
		}
		if img.From != "" {
			if err := visit(img.From, depth+1); err != nil {
				return err
			}
		}
		done[name] = true
		order = append(order, name)
		return nil
	}
	for _, n := range f.Names {
		if want[n] {
			if err := visit(n, 0); err != nil {
				return nil, err
			}
		}
	}
	return order, nil
}

// inherit builds the node of img from its already planned parent.
func (p *Plan) inherit(img *spec.Image) (*Node, error) {
	n := &Node{Name: img.Name, Spec: img, Tag: img.Tag}
	if n.Tag == "" {
		n.Tag = spec.DefaultTag
	}
	env := map[string]string{}
	if img.From != "" {
		parent := p.byName[img.From]
		if parent == nil {
			return nil, fmt.Errorf("%s: images.%s.from: parent %q is not planned", p.Family.At("images."+img.Name+".from"), img.Name, img.From)
		}
		n.Parent = parent
		n.Base = parent.Base
		n.User = parent.User
		n.Python = parent.Python
		n.Workdir = parent.Workdir
		n.Volumes = slices.Clone(parent.Volumes)
		for _, kv := range parent.Env {
			env[kv.Key] = kv.Value
		}
	} else {
		n.Base = img.Base
		n.User = spec.User{Name: DefaultUserName, UID: DefaultUID, GID: DefaultGID}
	}
	if u := img.User; u != nil {
		if u.Name != "" {
			n.User.Name = u.Name
		}
		if u.UID != 0 {
			n.User.UID = u.UID
		}
		if u.GID != 0 {
			n.User.GID = u.GID
		}
	}
	n.Home = path.Join("/home", n.User.Name)
	if n.Parent != nil && n.Parent.User != n.User {
		return nil, fmt.Errorf("%s: images.%s.user: %s:%d:%d differs from %s:%d:%d of parent %q: the account, its home, volumes and Python environment are set where the chain starts",
			p.Family.At("images."+img.Name+".user"), img.Name, n.User.Name, n.User.UID, n.User.GID,
			n.Parent.User.Name, n.Parent.User.UID, n.Parent.User.GID, img.From)
	}
	if img.Python != "" {
		if n.Python != "" && n.Python != img.Python {
			return nil, fmt.Errorf("%s: images.%s.python: %q differs from %q installed by parent %q",
				p.Family.At("images."+img.Name+".python"), img.Name, img.Python, n.Python, img.From)
		}
		n.Python = img.Python
	}
	if (len(img.Pip) > 0 || img.Requirements != "") && n.Python == "" {
		return nil, fmt.Errorf("%s: images.%s.pip: pip packages need python: set python on this image or an ancestor",
			p.Family.At("images."+img.Name+".pip"), img.Name)
	}
	if slices.Contains(img.Apt, "sudo") {
		return nil, fmt.Errorf("%s: images.%s.apt: sudo is not installed in workstation images: the user runs without root",
			p.Family.At("images."+img.Name+".apt"), img.Name)
	}
	for _, v := range img.Volumes {
		if !slices.Contains(n.Volumes, v) {
			n.Volumes = append(n.Volumes, v)
		}
	}
	if img.Workdir != "" {
		n.Workdir = img.Workdir
	}
	if n.Workdir == "" {
		n.Workdir = n.Home
	}
	for k, v := range img.Env {
		env[k] = v
	}
	for k, v := range env {
		n.Env = append(n.Env, EnvVar{Key: k, Value: v})
	}
	sort.Slice(n.Env, func(i, j int) bool { return n.Env[i].Key < n.Env[j].Key })
	return n, nil
}
