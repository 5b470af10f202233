package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// families are the image sets -family selects: full is every image of the
// catalogue (nil: no filter), small a three-image chain for quick runs.
var families = map[string][]string{
	"full":  nil,
	"small": {"python", "python-pytorch", "python-pytorch-jupyter"},
}

// familyNames lists the values -family takes.
func familyNames() []string { return sortedKeys(families) }

// keepImages returns the spec src with only the named images under
// images: (all of them when names is nil), keeping the rest as written.
func keepImages(src []byte, names []string) ([]byte, error) {
	if names == nil {
		return src, nil
	}
	return editSpec(src, func(root *yaml.Node) error {
		images := mapValue(root, "images")
		if images == nil || images.Kind != yaml.MappingNode {
			return errors.New("the spec has no images: mapping")
		}
		var kept []*yaml.Node
		for i := 0; i+1 < len(images.Content); i += 2 {
			if slices.Contains(names, images.Content[i].Value) {
				kept = append(kept, images.Content[i], images.Content[i+1])
			}
		}
		if len(kept) != 2*len(names) {
			return fmt.Errorf("the spec lacks some of the images %s", strings.Join(names, ", "))
		}
		images.Content = kept
		return nil
	})
}

// selectImages keeps the images in names (all when nil), in
// d's order, and checks that every kept image's parent is kept too.
func selectImages(images []dfImage, names []string) ([]dfImage, error) {
	if names == nil {
		return images, nil
	}
	var out []dfImage
	for _, img := range images {
		if slices.Contains(names, img.Name) {
			out = append(out, img)
		}
	}
	if len(out) != len(names) {
		return nil, fmt.Errorf("the family %s names images without a Dockerfile (have %d of %d)", strings.Join(names, ", "), len(out), len(names))
	}
	for _, img := range out {
		if img.Parent != "" && !slices.Contains(names, img.Parent) {
			return nil, fmt.Errorf("the family has %s but not its parent %s", img.Name, img.Parent)
		}
	}
	return out, nil
}
