package catalogue

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wsbuild/wsbuild/templates"
)

// CPU is the value of --cuda (and Leg.Cuda "") that selects the CPU leg.
const CPU = "false"

// Leg is one OS and CPU-or-CUDA combination a template can be written for.
type Leg struct {
	// OS is a key of the OS table (templates/os.yaml), such as "debian12".
	OS string
	// Cuda is a CUDA version of the CUDA table, such as "12.4"; "" for CPU.
	Cuda string
	// RootBase is what the starter spec's root image names as base: the
	// OS's first base reference, such as "ubuntu:22.04".
	RootBase string
	// Base is the image the leg is built on: RootBase for the CPU leg, the
	// CUDA table's runtime base for a CUDA leg.
	Base string
}

// Name is "cpu" for the CPU leg and "cuda" plus the version for a CUDA leg.
func (l Leg) Name() string {
	if l.Cuda == "" {
		return "cpu"
	}
	return "cuda" + l.Cuda
}

// Legs lists every leg: OSes by name, and for each the CPU leg followed by
// the CUDA versions the CUDA table has for it, in the table's order.
func Legs() ([]Leg, error) {
	if err := templates.Check(); err != nil {
		return nil, err
	}
	var out []Leg
	for _, name := range templates.OSNames() {
		o := templates.LookupOS(name)
		if len(o.Bases) == 0 {
			return nil, fmt.Errorf("templates/os.yaml: %s: no bases", name)
		}
		root := o.Bases[0]
		out = append(out, Leg{OS: name, RootBase: root, Base: root})
		for _, v := range cudaVersions(name) {
			row, err := templates.Cuda().FindLeg(name, v, "", "runtime")
			if err != nil {
				return nil, err
			}
			out = append(out, Leg{OS: name, Cuda: v, RootBase: root, Base: row.Base})
		}
	}
	return out, nil
}

// cudaVersions lists the CUDA versions the table has for os, in its order.
func cudaVersions(os string) []string {
	var out []string
	for _, l := range templates.Cuda().Legs {
		if l.OS == os && !slices.Contains(out, l.Cuda) {
			out = append(out, l.Cuda)
		}
	}
	return out
}

// FindLeg returns the leg of os and cuda (a version, or "" or CPU for the
// CPU leg), or an error listing the OSes or CUDA versions there are.
func FindLeg(os, cuda string) (Leg, error) {
	if cuda == CPU {
		cuda = ""
	}
	legs, err := Legs()
	if err != nil {
		return Leg{}, err
	}
	known := false
	for _, l := range legs {
		if l.OS != os {
			continue
		}
		known = true
		if l.Cuda == cuda {
			return l, nil
		}
	}
	if !known {
		return Leg{}, fmt.Errorf("unknown OS %q%s (known: %s)", os, didYouMean(os, templates.OSNames()), strings.Join(templates.OSNames(), ", "))
	}
	versions := cudaVersions(os)
	return Leg{}, fmt.Errorf("no CUDA %s leg for %s (CUDA versions for %s: %s; or %s for CPU)",
		cuda, os, os, strings.Join(versions, ", "), CPU)
}
