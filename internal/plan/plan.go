// Package plan turns a loaded spec.Family into a build plan: the images to
// build in dependency order, each with the settings it inherits from its
// parent, the references it is pushed to and its input digest. Planning is
// pure: file contents come through an injected fs.FS and base image digests
// through an option.
package plan

import (
	"encoding/json"
	"io/fs"
	"maps"
	"slices"
	"time"

	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

// Default account of a workstation image when no image in a chain names one.
const (
	DefaultUserName = "user"
	DefaultUID      = 1000
	DefaultGID      = 1000
)

// Plan is the ordered set of images one run builds.
type Plan struct {
	// Nodes lists the selected images, every parent before its children.
	Nodes []*Node
	// Family is the spec the plan was made from.
	Family *spec.Family

	byName   map[string]*Node
	version  string // templates version mixed into input digests
	platform string // target platform mixed into input digests
	epoch    *int64 // source date epoch mixed into input digests; nil when unset
	// compression of the layers images add, mixed into input digests
	// unless it is the default
	compression spec.Compression
}

// Node is one image of a plan with everything it inherits resolved.
type Node struct {
	// Name is the image's name in the spec: its key under images:, or
	// REPOSITORY:TAG for a variant of a matrix.
	Name string
	// Repository is the image's key under images:, the repository it is
	// pushed to.
	Repository string
	// Axes are a variant's axis values, in the order declared; nil for an
	// image without axes.
	Axes []spec.Axis
	// Spec is the image as declared.
	Spec *spec.Image
	// Parent is the image this one builds on; nil for an image with a base.
	Parent *Node
	// Base is the external image at the root of this image's chain.
	Base string
	// BaseDigest is the resolved digest of Base, when it was given.
	BaseDigest digest.Digest
	// User is the account the image runs as.
	User spec.User
	// Home is the user's home folder.
	Home string
	// Env is the environment the spec adds along the chain, sorted by key.
	Env []EnvVar
	// Workdir is the command's working directory.
	Workdir string
	// Volumes are the folders under Home the image provides, in order.
	Volumes []string
	// Tag is the image's tag.
	Tag string
	// Refs are the references the image is pushed to, one per push target.
	Refs []oci.Ref
	// InputDigest summarises every input of the image; see Digest.
	InputDigest digest.Digest
	// Inputs digests each named input of InputDigest on its own: spec
	// fields by their JSON name ("apt", "env", "desktop"…), "parent" (the
	// parent's input digest), "base" and "baseDigest", "version" (the
	// templates version), "platform", and FileInput+src for every copied
	// source. Comparing two Inputs says which input changed.
	Inputs map[string]digest.Digest
	// Values holds the canonical JSON of each named input but the copied
	// sources, keyed like Inputs: Inputs[k] is the digest of Values[k]. An
	// input left out (an empty list, an unset field) is unset.
	Values map[string]json.RawMessage
	// Files maps each copied source path to the digest of its content.
	Files map[string]digest.Digest
	// Sources maps each copied source path, as the spec writes it, to the
	// paths of the spec's folder the build context must send for it: the
	// symbolic links on its way (all inside the folder) and the path they
	// lead to. A path with no link on its way maps to itself, cleaned.
	Sources map[string][]string

	// OS is the operating system of the chain's base; nil when the OS table
	// does not know it (Debian package names are used then).
	OS *templates.OS
	// Features holds the settings of every registered feature the image
	// has, with defaults filled in: its own and, for features that are not
	// per image, those it inherits.
	Features map[string]feature.Settings
	// Contribution is what the image's features put into it.
	Contribution *feature.Contribution
	// Tests are the spec's test commands of the image and its ancestors.
	Tests []string
}

// EnvVar is one environment variable.
type EnvVar struct {
	// Key is the variable's name.
	Key string
	// Value is its value.
	Value string
}

type options struct {
	selection   []string
	dependents  bool
	context     fs.FS
	version     string
	platform    string
	epoch       *int64
	compression *spec.Compression
}

// Option configures New.
type Option func(*options) error

// WithSelection builds only the named images and the ancestors they need. A
// name is an image's key under images:, which selects all its variants, or a
// variant's name, such as "pytorch:2.3-py3.11-cpu". Default: every image of
// the family.
func WithSelection(names ...string) Option {
	return func(o *options) error { o.selection = names; return nil }
}

// WithDependents also builds every image built on a selected one, directly
// or not, so that a change to a parent is carried down to all its children.
// Default: off; the selection and its ancestors only.
func WithDependents() Option {
	return func(o *options) error { o.dependents = true; return nil }
}

// WithContext gives the folder copy: sources are read from (the spec's
// folder); a localfs.Folder keeps every read inside it and names it in
// errors. Default: none, and a spec that copies files is an error.
func WithContext(fsys fs.FS) Option {
	return func(o *options) error { o.context = fsys; return nil }
}

// WithTemplateVersion overrides the compiler version mixed into every input
// digest. Default: templates.Version.
func WithTemplateVersion(v string) Option {
	return func(o *options) error { o.version = v; return nil }
}

// WithPlatform names the platform images are built for, such as
// "linux/amd64"; it is part of every input digest. Default:
// oci.DefaultPlatform.
func WithPlatform(platform string) Option {
	return func(o *options) error { o.platform = platform; return nil }
}

// WithSourceDateEpoch fixes the timestamps of every image to t, whole
// seconds (see SourceDateEpoch); it is part of every input digest, because it
// changes the images' content. Default: the spec's source_date_epoch, else
// unset, and timestamps are the build's.
func WithSourceDateEpoch(t time.Time) Option {
	return func(o *options) error {
		s := t.Unix()
		o.epoch = &s
		return nil
	}
}

// WithCompression sets how the layers each image adds are compressed; it
// is part of every input digest unless it is gzip at its default level.
// Default: the spec's compression:, else gzip.
func WithCompression(c spec.Compression) Option {
	return func(o *options) error { o.compression = &c; return nil }
}

// New plans the family f.
func New(f *spec.Family, opts ...Option) (*Plan, error) {
	o := options{version: templates.Version, platform: platforms.Format(oci.DefaultPlatform()), epoch: f.SourceDateEpoch, compression: f.Compression}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	order, err := selectImages(f, o.selection, o.dependents)
	if err != nil {
		return nil, err
	}
	p := &Plan{Family: f, byName: map[string]*Node{}, version: o.version, platform: o.platform, epoch: o.epoch}
	if o.compression != nil {
		p.compression = *o.compression
	}
	for _, name := range order {
		img := f.Images[name]
		n, err := p.inherit(img)
		if err != nil {
			return nil, err
		}
		if err := p.features(n, img); err != nil {
			return nil, err
		}
		n.Refs = refs(f.Push, n.Repository, n.Tag)
		if n.Files, n.Sources, err = hashCopies(f, img, o.context); err != nil {
			return nil, err
		}
		p.Nodes = append(p.Nodes, n)
		p.byName[name] = n
	}
	if err := p.SetBaseDigests(nil); err != nil {
		return nil, err
	}
	return p, nil
}

// SetBaseDigests records the resolved digest of each external base, keyed by
// the reference as the spec writes it, and recomputes every input digest,
// parents first. It reads no files, so a plan made before its bases were
// resolved is completed without planning again. A nil map leaves the input
// digests covering the base references only.
func (p *Plan) SetBaseDigests(m map[string]digest.Digest) error {
	for _, n := range p.Nodes {
		n.BaseDigest = m[n.Base]
		d, inputs, values, err := inputDigest(n, p.version, p.platform, p.epoch, p.compression)
		if err != nil {
			return err
		}
		n.InputDigest, n.Inputs, n.Values = d, inputs, values
	}
	return nil
}

// SourceDateEpoch returns the time every image's timestamps are fixed to,
// and false when the plan was made without WithSourceDateEpoch.
func (p *Plan) SourceDateEpoch() (time.Time, bool) {
	if p.epoch == nil {
		return time.Time{}, false
	}
	return time.Unix(*p.epoch, 0).UTC(), true
}

// Compression is how the layers each image adds are compressed.
func (p *Plan) Compression() spec.Compression { return p.compression }

// Node returns the planned image called name, or nil.
func (p *Plan) Node(name string) *Node { return p.byName[name] }

// Bases lists the distinct external images the plan builds on, sorted: the
// bases, and the images features copy files from (uv, where a chain installs
// Python with it).
func (p *Plan) Bases() []string {
	seen := map[string]bool{}
	for _, n := range p.Nodes {
		if n.Parent == nil {
			seen[n.Base] = true
		}
		for _, f := range n.Contribution.Setup.ImageFiles {
			seen[f.Image] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// BaseSource says where the spec names the external image ref (as
// Bases lists it): "FILE:LINE: images.NAME.FIELD", the field being base,
// or the feature that brings the image (the CUDA leg's base, uv's image).
// It is "" for an image the plan does not build on.
func (p *Plan) BaseSource(ref string) string {
	for _, n := range p.Nodes {
		if n.Parent == nil && n.Base == ref {
			if n.Base == n.Spec.Base {
				return locate(p.Family, n.Spec, "base")
			}
			return locate(p.Family, n.Spec, "cuda")
		}
		for _, f := range n.Contribution.Setup.ImageFiles {
			if f.Image == ref {
				return locate(p.Family, n.Spec, f.Feature)
			}
		}
	}
	return ""
}

func refs(targets []spec.PushTarget, repository, tag string) []oci.Ref {
	var out []oci.Ref
	for _, t := range targets {
		repo := t.Registry + "/" + t.Namespace + "/" + repository
		out = append(out, oci.Ref{Name: repo + ":" + tag, Repository: repo, Insecure: t.Insecure})
	}
	return out
}
