// Package spec loads and validates wsbuild spec files: a family of workstation
// images described in YAML. Decoding is strict and every error names the file,
// line and field it is about, so a user can jump straight to the mistake.
package spec

import (
	"fmt"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/localfs"
)

// DefaultFile is the spec file wsbuild reads when none is named.
const DefaultFile = "wsbuild.yaml"

// DefaultTag is the tag an image gets when its spec names none.
const DefaultTag = "latest"

// Family is one spec file: a set of images, some built on others, and the
// registries they are pushed to.
type Family struct {
	// File is the spec's path as it was given; errors are reported against it.
	File string
	// Images holds every image by name. An image with matrix axes is here
	// once per variant, under its variant name (see Image.Name).
	Images map[string]*Image
	// Names lists the image names in the order the file declares them, each
	// image's variants together, in the order of their combinations.
	Names []string
	// Push lists the registry targets every image is pushed to.
	Push []PushTarget
	// SourceDateEpoch, in seconds since 1970-01-01 UTC, fixes the timestamps
	// of every image so that builds are reproducible; nil when not set. The
	// --source-date-epoch flag and $SOURCE_DATE_EPOCH take precedence.
	SourceDateEpoch *int64
	// Compression is how the layers each image adds are compressed; nil for
	// gzip at its default level. The --compression flags take precedence.
	Compression *Compression
	// Cache is every image's default cache: entry (see Cache); nil when not
	// set. The --cache-to and --cache-from flags take precedence.
	Cache *Cache
	// Secrets are the secrets: steps may ask for, by id (see Secret).
	Secrets map[string]Secret
	// Pos maps a field path such as "images.pytorch.from" to where it was written.
	Pos map[string]Position
}

// Image is one image of a family, exactly as the spec declares it (nothing
// inherited from its parent yet; the planner does that). An image with matrix
// axes is one variant: its axis values are substituted into its fields.
type Image struct {
	// Name is the image's key under images: for an image without axes, and
	// REPOSITORY:TAG, such as "pytorch:2.3-py3.11-cpu", for a variant.
	Name string `yaml:"-"`
	// Repository is the image's key under images:, its repository name in
	// registry references; field paths in errors and Family.Pos use it.
	Repository string `yaml:"-"`
	// Axes are the variant's axis values: the family's axes, then those of
	// each ancestor from the root down, then the image's own, each in the
	// order declared. Nil for an image without axes.
	Axes []Axis `yaml:"-"`
	// Base is an external image reference such as "debian:bookworm".
	Base string `yaml:"base"`
	// From names another image of the same family to build on; for a
	// variant, the parent's variant with the same values of the axes it
	// inherits.
	From string `yaml:"from"`
	// OS names the operating system of Base, such as "debian12", when the
	// OS table in templates/ does not know Base; only on an image with base.
	OS string `yaml:"os"`
	// Features holds the settings of the registered features (see package
	// feature: python, cuda, desktop, sshd, jupyter…) the image sets, by key, as declared: nothing inherited and
	// no defaults filled in yet.
	Features map[string]feature.Settings `yaml:"-"`
	// Off lists the features the image turns off in so many words
	// (desktop: false), which it may do only where nothing inherits them.
	Off []string `yaml:"-"`
	// Test lists shell commands run as the user inside the built image; the
	// build fails if one fails. They are not part of the exported image.
	Test []string `yaml:"test"`
	// Apt lists Debian packages to install.
	Apt []string `yaml:"apt"`
	// Pip lists Python packages to install into the image's environment.
	Pip []string `yaml:"pip"`
	// Requirements is a requirements.txt path relative to the spec file.
	Requirements string `yaml:"requirements"`
	// RequirementsData is the content of Requirements, read when the spec loads.
	RequirementsData []byte `yaml:"-"`
	// RequirementsIncludes are the other links and files the build receives
	// for pip to read Requirements as written: the links on the way to it and
	// the files it includes with -r and -c (with theirs), all inside the
	// spec's folder. Nil when Requirements is a plain file including nothing.
	RequirementsIncludes []localfs.Entry `yaml:"-"`
	// User is the non-root account the image runs as; nil means inherit or default.
	User *User `yaml:"user"`
	// Volumes are folders created under the user's home and owned by the user.
	Volumes []string `yaml:"volumes"`
	// Env holds environment variables set in the image.
	Env map[string]string `yaml:"env"`
	// Workdir is the working directory of the image's command.
	Workdir string `yaml:"workdir"`
	// Ports lists exposed ports, "8888" or "8888/tcp" or "53/udp".
	Ports []string `yaml:"ports"`
	// Run is the command the container runs, in exec form.
	Run []string `yaml:"run"`
	// Copy lists files or folders copied from the build context into the image.
	Copy []Copy `yaml:"copy"`
	// Labels are added to the image config.
	Labels map[string]string `yaml:"labels"`
	// Tag is the image's tag; DefaultTag when empty. For a variant it is the
	// tag its matrix template renders.
	Tag string `yaml:"tag"`
	// PipIndex is the index the image's own pip packages come from, with
	// credentials from a secret; nil for pip's default. It is not
	// inherited.
	PipIndex *PipIndex `yaml:"pip_index"`
	// AptSources are apt repositories this image's apt steps and those of
	// the images built on it install from; they are written into the image.
	AptSources []AptSource `yaml:"apt_sources"`
	// Cache is the image's own cache: entry, over the family's; nil when not
	// set. It is no input of the image's content.
	Cache *Cache `yaml:"-"`
}

// Axis is one axis value of a matrix variant.
type Axis struct {
	// Name is the axis's name, such as "python".
	Name string `json:"name"`
	// Value is the value as written, such as "3.11" or "12.4"; booleans are
	// "true" and "false".
	Value string `json:"value"`
}

// User is a workstation account.
type User struct {
	// Name is the login name; "user" by default.
	Name string `yaml:"name"`
	// UID is the numeric user id; 1000 by default, never 0.
	UID int `yaml:"uid"`
	// GID is the numeric group id; 1000 by default, never 0.
	GID int `yaml:"gid"`
}

// Copy copies Src, relative to the spec's folder, to Dst in the image.
type Copy struct {
	// Src is a file or folder relative to the spec's folder.
	Src string `yaml:"src"`
	// Dst is an absolute path in the image; a relative one is under the workdir.
	Dst string `yaml:"dst"`
}

// PushTarget is a registry namespace images are pushed to, as
// registry/namespace/name:tag.
type PushTarget struct {
	// Registry is a host with an optional port, such as "ghcr.io" or "127.0.0.1:5000".
	Registry string `yaml:"registry"`
	// Namespace is one or more path components, such as "lab" or "lab/ws".
	Namespace string `yaml:"namespace"`
	// Insecure allows plain HTTP to the registry.
	Insecure bool `yaml:"insecure"`
}

// Position is a place in a spec file.
type Position struct {
	// File is the spec file's path, the path of an override file
	// (--set-file), or OverrideFile for a command-line override (--set).
	File string
	// Line is 1-based; 0 when unknown.
	Line int
}

// String formats the position as file:line.
func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// At returns where the field at path was written, falling back to the closest
// enclosing field that has a position, and to the file itself.
func (f *Family) At(path string) Position {
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := f.Pos[p]; ok {
			return pos
		}
	}
	return Position{File: f.File}
}

func parentPath(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' {
			return p[:i]
		}
	}
	return ""
}
