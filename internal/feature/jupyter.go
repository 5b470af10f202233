package feature

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Jupyter is the jupyter: feature: JupyterLab or the classic Notebook run
// as the user, rooted at the home folder, behind a token made at start.
type Jupyter struct {
	Lab  *bool  `json:"lab,omitempty" default:"true" doc:"JupyterLab (true) or the classic Notebook (false)"`
	Port int    `json:"port,omitempty" check:"port" default:"8888" doc:"the port Jupyter listens on"`
	Via  string `json:"via,omitempty" check:"oneof=pip distro" default:"pip" doc:"pip: into the venv; distro: the OS's package"`
}

// app is the jupyter subcommand that serves.
func (j *Jupyter) app() string {
	if j.Lab != nil && !*j.Lab {
		return "notebook"
	}
	return "lab"
}

var _ = Register(Def[Jupyter]{
	Key:   "jupyter",
	Doc:   "a Jupyter server run as the user, rooted at the home folder",
	Order: 30,
	Plan: func(img *Image, j *Jupyter) []Problem {
		switch {
		case img.Python() == "":
			return []Problem{Problemf("", "jupyter needs python: set python on this image or an ancestor")}
		case j.Via == "distro" && j.app() == "lab":
			return []Problem{Problemf("", "JupyterLab is not packaged by the OS; use via: pip, or lab: false for the OS's Notebook")}
		case j.Via == "distro" && img.PythonVia() == PythonUV:
			return []Problem{Problemf("", "via: distro installs the OS's Jupyter, which the uv-installed python %s cannot import; use via: pip", img.Python())}
		}
		return nil
	},
	Contribute: func(img *Image, j *Jupyter, c *Contribution) {
		if img.Enters("jupyter") {
			switch {
			case j.Via == "distro":
				c.Needs = append(c.Needs, "notebook")
			case j.app() == "lab":
				c.Pip = append(c.Pip, "jupyterlab")
			default:
				c.Pip = append(c.Pip, "notebook")
			}
			c.Files = append(c.Files,
				File{Asset: "bin/jupyter", Path: path.Join(ProgramDir, "jupyter"), Mode: 0o755},
				File{Asset: "init.d/jupyter.sh", Path: path.Join(InitDir, "jupyter.sh"), Mode: 0o644})
		}
		c.Env = append(c.Env, Env{"WSBUILD_JUPYTER_APP", j.app()}, Env{"WSBUILD_JUPYTER_PORT", strconv.Itoa(j.Port)})
		c.Programs = append(c.Programs, Program{Name: "jupyter", Command: ProgramDir + "/jupyter", Priority: 50, Restart: "true"})
		c.Ports = append(c.Ports, Port{Field: "port", Number: j.Port})
		c.Checks = append(c.Checks, Check{Name: "jupyter --version", Script: "jupyter --version\njupyter " + j.app() + " --version"})
		kernels := append([]string{"python3"}, c.Kernels...)
		c.Probes = append(c.Probes, fmt.Sprintf("jupyter:%d:%s", j.Port, strings.Join(kernels, ",")))
	},
})
