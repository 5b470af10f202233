package llb

import (
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// FeaturePackages lists, by feature key, the packages each feature of n
// adds along n's chain: its OS packages, as the OS table names
// them for the chain's OS, then its pip packages as "pip:NAME".
func FeaturePackages(n *plan.Node) map[string][]string {
	out := map[string][]string{}
	for a := n; a != nil; a = a.Parent {
		view := a.View()
		for _, f := range feature.All() {
			s, ok := a.Features[f.Key()]
			// Contribute adds packages only where they go in (a feature
			// may add some where another one enters, as R's kernel does
			// where Jupyter enters).
			if !ok || (a != n && f.PerImage()) {
				continue
			}
			var c feature.Contribution
			f.Contribute(view, s, &c)
			var pkgs []string
			for _, need := range c.Needs {
				pkgs = append(pkgs, packagesFor(a, need)...)
			}
			pkgs = append(pkgs, c.Apt...)
			for _, p := range c.Pip {
				pkgs = append(pkgs, "pip:"+p)
			}
			if len(pkgs) > 0 {
				out[f.Key()] = append(pkgs, out[f.Key()]...)
			}
		}
	}
	return out
}
