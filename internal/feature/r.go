package feature

import "strings"

// R is the r: feature: R from the OS's packages, its libraries as the OS
// packages them (r-cran-NAME), and, when the image or an ancestor has
// Jupyter, the R kernel registered with it.
type R struct {
	Packages []string `json:"packages,omitempty" check:"rpackage" doc:"R libraries, installed from the OS as r-cran-NAME"`
}

var _ = Register(Def[R]{
	Key: "r",
	Doc: "R from the OS, with R libraries as OS packages and the R kernel in Jupyter",
	// Before jupyter, which proves at start that every kernel is offered.
	Order: 25,
	Contribute: func(img *Image, r *R, c *Contribution) {
		if img.Enters("r") {
			c.Needs = append(c.Needs, "r")
			for _, p := range r.Packages {
				c.Apt = append(c.Apt, "r-cran-"+strings.ToLower(p))
			}
		}
		if img.Has("jupyter") {
			if img.Enters("r") || img.Enters("jupyter") {
				c.Needs = append(c.Needs, "irkernel")
				// Installed for every Jupyter on the machine (the venv's
				// and the OS's look in /usr/local/share/jupyter).
				c.Steps = append(c.Steps, Step{Name: "register the R kernel with Jupyter", Root: true,
					Script: `R --quiet --no-save -e 'IRkernel::installspec(user = FALSE, name = "ir", displayname = "R")'`})
			}
			c.Kernels = append(c.Kernels, "ir")
		}
		c.Checks = append(c.Checks, Check{Name: "R runs and loads its libraries", Script: rCheck(r.Packages)})
	},
})

// rCheck loads every library R was asked for.
func rCheck(pkgs []string) string {
	s := `R --quiet --no-save -e 'cat(R.version.string, "\n")'`
	for _, p := range pkgs {
		s += "\nR --quiet --no-save -e 'library(" + p + ")'"
	}
	return s
}
