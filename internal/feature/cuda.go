package feature

import (
	"strings"

	"github.com/wsbuild/wsbuild/templates"
)

// Cuda is the cuda: feature: the chain's CUDA leg. It replaces the chain's
// base with the CUDA table's image for the OS, CUDA version, cuDNN and
// flavor asked for, and lets the container runtime give it the GPUs.
// `cuda: false` (or no cuda:) is the CPU leg.
type Cuda struct {
	Version string `json:"version" check:"cuda" scalar:"true" required:"true" example:"12.4" doc:"the CUDA version, major.minor, such as \"12.4\""`
	Cudnn   string `json:"cudnn,omitempty" check:"cudnn" doc:"the cuDNN major version; empty takes the newest the CUDA table has"`
	Flavor  string `json:"flavor,omitempty" check:"oneof=runtime devel" default:"runtime" doc:"runtime, or devel for the compilers and headers"`
	Base    string `json:"base,omitempty" check:"image" doc:"replaces the base image the CUDA table names for this leg"`
}

// Cuda returns the chain's CUDA version, "" on the CPU leg.
func (i *Image) Cuda() string {
	if s, ok := i.Features["cuda"].(*Cuda); ok {
		return s.Version
	}
	return ""
}

// leg finds the CUDA table's row for s on the OS named os.
func (s *Cuda) leg(os string) (templates.Leg, error) {
	return templates.Cuda().FindLeg(os, s.Version, s.Cudnn, s.Flavor)
}

var _ = Register(Def[Cuda]{
	Key:        "cuda",
	Doc:        "the chain's CUDA leg: its base becomes the CUDA table's image for the OS",
	Order:      0,
	ChainStart: true,
	Plan: func(img *Image, s *Cuda) []Problem {
		if img.OS == "" {
			return []Problem{Problemf("", "the CUDA table is per OS and does not know base %q; set os: (one of %s)", img.Base, strings.Join(templates.OSNames(), ", "))}
		}
		if _, err := s.leg(img.OS); err != nil {
			return []Problem{Problemf("", "%v", err)}
		}
		return nil
	},
	Contribute: func(img *Image, s *Cuda, c *Contribution) {
		if img.Enters("cuda") {
			c.Setup.Base = s.Base
			if leg, err := s.leg(img.OS); err == nil && c.Setup.Base == "" {
				c.Setup.Base = leg.Base
			}
		}
		c.Env = append(c.Env, Env{"NVIDIA_VISIBLE_DEVICES", "all"}, Env{"NVIDIA_DRIVER_CAPABILITIES", "compute,utility"})
	},
})
