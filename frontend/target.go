package frontend

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// pickTarget returns the image of fam that target names: an image's name,
// a matrix variant's NAME:TAG, or an image with matrix axes whose build
// args leave one variant. Without a target it is the family's only leaf
// (the one image no other builds on).
func pickTarget(fam *spec.Family, target string) (string, error) {
	if target == "" {
		leaves := leaves(fam)
		if len(leaves) == 1 {
			return leaves[0], nil
		}
		return "", fmt.Errorf("%s: the spec builds %d images no other image builds on (%s): pick one with the target option (--target)",
			fam.File, len(leaves), strings.Join(leaves, ", "))
	}
	if _, ok := fam.Images[target]; ok {
		return target, nil
	}
	var variants []string
	for _, name := range fam.Names {
		if fam.Images[name].Repository == target {
			variants = append(variants, name)
		}
	}
	switch len(variants) {
	case 1:
		return variants[0], nil
	case 0:
		return "", fmt.Errorf("%s: target %q is not an image of the spec; its images: %s", fam.File, target, strings.Join(fam.Names, ", "))
	}
	return "", fmt.Errorf("%s: target %q has %d matrix variants (%s): pick one as the target NAME:TAG, or fix its axes with build args (build-arg:AXIS=VALUE)",
		fam.File, target, len(variants), strings.Join(variants, ", "))
}

// leaves lists the images of fam that no other image builds on, in the
// spec's order.
func leaves(fam *spec.Family) []string {
	parents := map[string]bool{}
	for _, img := range fam.Images {
		if img.From != "" {
			parents[img.From] = true
		}
	}
	var out []string
	for _, name := range fam.Names {
		if !parents[name] {
			out = append(out, name)
		}
	}
	return slices.Clip(out)
}
