package plan

import (
	"fmt"
	"path"
	"slices"
	"sort"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// inherit builds the node of img from its already planned parent.
func (p *Plan) inherit(img *spec.Image) (*Node, error) {
	n := &Node{Name: img.Name, Repository: repository(img), Axes: img.Axes, Spec: img, Tag: img.Tag}
	if n.Tag == "" {
		n.Tag = spec.DefaultTag
	}
	env := map[string]string{}
	if img.From != "" {
		parent := p.byName[img.From]
		if parent == nil {
			return nil, fmt.Errorf("%s: parent %q is not planned", locate(p.Family, img, "from"), img.From)
		}
		n.Parent = parent
		n.Base = parent.Base
		n.User = parent.User
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
		return nil, fmt.Errorf("%s: %s:%d:%d differs from %s:%d:%d of parent %q: the account, its home, volumes and Python environment are set where the chain starts",
			locate(p.Family, img, "user"), n.User.Name, n.User.UID, n.User.GID,
			n.Parent.User.Name, n.Parent.User.UID, n.Parent.User.GID, img.From)
	}
	if slices.Contains(img.Apt, "sudo") {
		return nil, fmt.Errorf("%s: sudo is not installed in workstation images: the user runs without root",
			locate(p.Family, img, "apt"))
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

// repository is the name img is pushed under: its key under images:. An
// image made by hand rather than by spec.Parse may leave Repository empty; its
// name is its repository then.
func repository(img *spec.Image) string {
	if img.Repository == "" {
		return img.Name
	}
	return img.Repository
}

// locate names field of img for an error: "file:line: images.REPOSITORY.field",
// then ": variant NAME" for a variant of a matrix, whose fields are written
// under the image it was declared as.
func locate(f *spec.Family, img *spec.Image, field string) string {
	path := "images." + repository(img) + "." + field
	s := f.At(path).String() + ": " + path
	if len(img.Axes) > 0 {
		s += ": variant " + img.Name
	}
	return s
}
