package feature

import "io/fs"

// Image is what a feature sees of the image it is planned or compiled for:
// the chain's account, OS and Python, and every feature the image has.
type Image struct {
	// Name is the image's name in the spec.
	Name string
	// User is the account the image runs as.
	User User
	// Home is the account's home folder.
	Home string
	// OS is the name of the chain's OS in the OS table ("" when unknown).
	OS string
	// Base is the external image the spec starts the chain from.
	Base string
	// Features holds the settings, defaults filled in, of every feature
	// the image has: its own and, for features that are not per image,
	// those it inherits.
	Features map[string]Settings
	// Parent holds the parent's Features; nil at the start of a chain.
	Parent map[string]Settings
}

// User is a workstation account.
type User struct {
	// Name is the login name.
	Name string
	// UID and GID are the numeric ids.
	UID, GID int
}

// Has reports whether the image has the feature key.
func (i *Image) Has(key string) bool { _, ok := i.Features[key]; return ok }

// Enters reports whether the feature key is new at this image: set here
// and not on the parent (a per-image feature is new wherever it is set).
func (i *Image) Enters(key string) bool {
	if !i.Has(key) {
		return false
	}
	f, ok := Lookup(key)
	if ok && f.PerImage() {
		return true
	}
	_, had := i.Parent[key]
	return !had
}

// Contribution is what the features of one image put into it. The compiler
// installs packages, pip packages, files, folders and steps as given, so a
// feature adds those only where it enters (see Image.Enters); environment,
// programs, ports, checks and probes describe the whole image and are given
// wherever the feature is.
type Contribution struct {
	// Setup comes before the rest of the image's own content.
	Setup
	// Needs name rows of the OS table (templates/os.yaml), such as
	// "desktop"; their packages go into the image's apt step.
	Needs []string
	// Apt are more OS packages for the apt step.
	Apt []string
	// Pip are Python packages installed into the venv as the user.
	Pip []string
	// Files are written into the image, in one step.
	Files []File
	// Dirs are made after the files, one step each.
	Dirs []Dir
	// Steps run after the packages and files, in order.
	Steps []Step
	// Env is set in the image config and for later steps.
	Env []Env
	// Programs are the image's long-running processes; several make
	// supervisord the command.
	Programs []Program
	// Ports are the ports the image's services listen on; a port may be
	// used once per image.
	Ports []Port
	// Checks run inside the built image; one failing fails the build.
	Checks []Check
	// Probes are what the start check proves answers once the entrypoint
	// started, in wsbuild-probe's SERVICE syntax ("vnc:5900").
	Probes []string
	// Kernels are Jupyter kernels the features register; the start check
	// proves Jupyter offers each.
	Kernels []string
}

// Setup is what a feature that others build on (Python) puts into an image
// before anything else of the image's own: after its OS packages and its
// account, before its pip packages, files and steps.
type Setup struct {
	// Base replaces the external image the chain starts from (a CUDA
	// leg's image); only a ChainStart feature sets it.
	Base string
	// ImageFiles are copied from other images, which are resolved and
	// pinned like bases, before Steps.
	ImageFiles []ImageFile
	// Steps run in order, before the pip packages.
	Steps []Step
	// Path are folders put in front of the base image's PATH, for later
	// steps and in the image config.
	Path []string
}

// ImageFile is a file copied from another image.
type ImageFile struct {
	// Feature is the key of the feature that copies it; the planner sets it.
	Feature string
	// Image is the image's reference, such as "ghcr.io/astral-sh/uv:0.4".
	Image string
	// Src is the file's path in Image.
	Src string
	// Path is where it goes.
	Path string
}

// File is one file a feature writes: an asset of templates/files, a
// rendered template of it, or literal text.
type File struct {
	// Path is where it goes in the image.
	Path string
	// Asset is a file under templates/files to copy.
	Asset string
	// Template is a text/template under templates/files to render with Data.
	Template string
	// Data is the template's data.
	Data any
	// Text is literal content, when neither Asset nor Template is set.
	Text string
	// Mode is the file's mode.
	Mode fs.FileMode
}

// Dir is a folder a feature makes, owned by the image's account.
type Dir struct {
	// Path is the folder.
	Path string
	// Mode is its mode.
	Mode fs.FileMode
	// Why names the step in progress output.
	Why string
}

// Step is a shell script run at build time.
type Step struct {
	// Name is shown in progress and in errors.
	Name string
	// Script is run by /bin/sh -c with set -eu.
	Script string
	// Root runs the step as root; else as the image's account.
	Root bool
	// Workdir is the step's working directory ("" for the home folder).
	Workdir string
	// Caches are folders kept between builds on cache mounts.
	Caches []string
	// Env is set for this step only.
	Env []Env
	// Secrets are the ids of the build secrets mounted for this step only,
	// at /run/secrets/ID, readable by the account it runs as.
	Secrets []string
}

// Env is one environment variable.
type Env struct {
	// Key is the variable's name.
	Key string
	// Value is its value.
	Value string
}

// Program is one long-running process run by supervisord (or by the
// entrypoint, when it is the image's only one).
type Program struct {
	// Feature is the key of the feature it belongs to, which names its
	// supervisor file; the planner sets it.
	Feature string
	// Name is supervisord's program name.
	Name string
	// Command is the command line.
	Command string
	// Priority orders start-up: lower starts first.
	Priority int
	// Restart is supervisord's autorestart ("true" or "false").
	Restart string
}

// Port is a port a service listens on.
type Port struct {
	// Feature is the key of the feature it belongs to; the planner sets it.
	Feature string
	// Field is the settings field that sets it, for errors ("port").
	Field string
	// Number is the TCP port.
	Number int
}

// Check is a test run inside the built image.
type Check struct {
	// Name says what the check proves.
	Name string
	// Root runs it as root; else as the image's account.
	Root bool
	// Script is run by /bin/sh -c with set -eu, with Env set.
	Script string
	// Env is set for the check.
	Env []Env
}
