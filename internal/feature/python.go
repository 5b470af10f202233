package feature

import (
	"fmt"
	"strings"

	"github.com/wsbuild/wsbuild/templates"
)

// Python is the python: feature: a Python interpreter and the user's
// virtual environment, which pip: packages and the features' pip packages
// are installed into. It is the OS's python3 when the OS ships the version
// asked for (or via: distro), else a standalone CPython installed by uv.
type Python struct {
	Version string `json:"version" check:"python" scalar:"true" required:"true" example:"3.11" doc:"the Python version, such as \"3.11\""`
	Via     string `json:"via,omitempty" check:"oneof=auto distro uv" default:"auto" doc:"auto: the OS's python3 when its version matches, else uv; distro: the OS's; uv: a standalone CPython"`
}

// Ways Python is installed (Image.PythonVia).
const (
	// PythonDistro is the OS's python3 package.
	PythonDistro = "distro"
	// PythonUV is a standalone CPython installed by uv at build time.
	PythonUV = "uv"
)

// Paths of the Python feature.
const (
	// VenvDir is where the user's virtual environment lives.
	VenvDir = "/opt/venv"
	// uvPythonDir is where uv installs standalone CPython builds.
	uvPythonDir = "/opt/python"
	// uvCacheDir is where uv's download cache is mounted during builds.
	uvCacheDir = "/var/cache/wsbuild-uv"
	// uvPath is where uv is copied to.
	uvPath = "/usr/local/bin/uv"
)

// Python returns the Python version the image has, "" for none.
func (i *Image) Python() string {
	if s, ok := i.Features["python"].(*Python); ok {
		return s.Version
	}
	return ""
}

// PythonVia returns how the image's Python is installed, PythonDistro or
// PythonUV; "" for none.
func (i *Image) PythonVia() string {
	s, ok := i.Features["python"].(*Python)
	if !ok {
		return ""
	}
	via, _ := s.via(i.OS)
	return via
}

// via decides how Python is installed on the OS named os, and returns the
// OS's own Python version ("" when the OS table does not know it).
func (s *Python) via(os string) (via, distro string) {
	if o := templates.LookupOS(os); o != nil {
		distro = o.Python
	}
	matches := distro == "" || minor(s.Version) == distro
	if s.Via == PythonDistro || (s.Via != PythonUV && matches) {
		return PythonDistro, distro
	}
	return PythonUV, distro
}

// minor returns the major.minor part of a version.
func minor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

var _ = Register(Def[Python]{
	Key:   "python",
	Doc:   "a Python interpreter and the user's virtual environment in " + VenvDir,
	Order: 1,
	Plan: func(img *Image, s *Python) []Problem {
		if _, distro := s.via(img.OS); s.Via == PythonDistro && distro != "" && minor(s.Version) != distro {
			return []Problem{Problemf("", "python %s via distro, but %s ships python %s; use via: uv or python: %q", s.Version, img.OS, distro, distro)}
		}
		return nil
	},
	Contribute: func(img *Image, s *Python, c *Contribution) {
		via, _ := s.via(img.OS)
		if img.Enters("python") {
			if via == PythonUV {
				uvSetup(img, s, c)
			} else {
				c.Needs = append(c.Needs, "python")
				c.Setup.Steps = append(c.Setup.Steps, Step{
					Name: fmt.Sprintf("python %s virtual environment in %s", s.Version, VenvDir), Root: true,
					Script: fmt.Sprintf("python3 -m venv --system-site-packages %[1]s\nchown -R %[2]d:%[3]d %[1]s", VenvDir, img.User.UID, img.User.GID),
				})
			}
		}
		c.Env = append(c.Env, Env{"VIRTUAL_ENV", VenvDir})
		c.Setup.Path = append(c.Setup.Path, VenvDir+"/bin")
		c.Checks = append(c.Checks, Check{Name: "python is " + s.Version, Script: Script("python.sh"), Env: []Env{{"CHECK_PYTHON", s.Version}}})
	},
})

// uvSetup installs a standalone CPython with uv, copied from its image,
// and makes the user's virtual environment with it.
func uvSetup(img *Image, s *Python, c *Contribution) {
	c.Needs = append(c.Needs, "uv")
	c.Setup.ImageFiles = append(c.Setup.ImageFiles, ImageFile{Image: templates.UVImage, Src: "/uv", Path: uvPath})
	c.Setup.Steps = append(c.Setup.Steps, Step{
		Name: fmt.Sprintf("python %s from uv, virtual environment in %s", s.Version, VenvDir), Root: true,
		// The version passed the "python" check: digits and dots only.
		Script: fmt.Sprintf("uv python install %[1]s\nuv venv --seed --python %[1]s %[2]s\nchown -R %[3]d:%[4]d %[2]s",
			s.Version, VenvDir, img.User.UID, img.User.GID),
		Env: []Env{
			{"UV_PYTHON_INSTALL_DIR", uvPythonDir}, {"UV_PYTHON_PREFERENCE", "only-managed"}, {"UV_CACHE_DIR", uvCacheDir},
		},
		Caches: []string{uvCacheDir},
	})
}
