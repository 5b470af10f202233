// Package catalogue lists the stock workstation templates (templates.Catalogue)
// in every leg wsbuild knows — each OS of the OS table, CPU and each CUDA
// version of the CUDA table — and writes a starter spec for one template in
// one leg. It works on the YAML node tree, so a starter spec keeps the
// catalogue's comments and layout; it is pure and reads no files.
package catalogue

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/wsbuild/wsbuild/templates"
	"go.yaml.in/yaml/v3"
)

// DescriptionLabel is the image label a template's description is read from.
const DescriptionLabel = "org.opencontainers.image.description"

// Catalogue is a parsed catalogue file: a wsbuild spec whose images are the
// templates, written as one leg (its root image's base and cuda:).
type Catalogue struct {
	file   string
	doc    *yaml.Node // the document node
	images []*image   // in file order
	byName map[string]*image
}

// image is one entry of images: as the listing and the starter need it.
type image struct {
	name        string
	from        string
	description string
	key, val    *yaml.Node
}

// Stock returns the embedded stock catalogue, templates.Catalogue.
func Stock() (*Catalogue, error) {
	return Parse(templates.CatalogueFile, templates.Catalogue)
}

// Parse reads a catalogue from data; file names it in errors. Only what the
// listing and the starter need is checked here (images: with from: chains
// inside the file); spec.Parse checks the rest.
func Parse(file string, data []byte) (*Catalogue, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty catalogue", file)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: expected a mapping with images: and push:", file, root.Line)
	}
	c := &Catalogue{file: file, doc: &doc, byName: map[string]*image{}}
	_, images := lookup(root, "images")
	if images == nil || images.Kind != yaml.MappingNode || len(images.Content) == 0 {
		return nil, fmt.Errorf("%s: images: missing or not a mapping of images", file)
	}
	for i := 0; i+1 < len(images.Content); i += 2 {
		k, v := images.Content[i], images.Content[i+1]
		if v.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: images.%s: expected a mapping of image fields", file, v.Line, k.Value)
		}
		img := &image{name: k.Value, key: k, val: v}
		if _, f := lookup(v, "from"); f != nil {
			img.from = f.Value
		}
		if _, l := lookup(v, "labels"); l != nil {
			if _, d := lookup(l, DescriptionLabel); d != nil {
				img.description = d.Value
			}
		}
		c.images = append(c.images, img)
		c.byName[img.name] = img
	}
	for _, img := range c.images {
		if _, err := c.chain(img.name); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Names lists the templates (the catalogue's images) in file order.
func (c *Catalogue) Names() []string {
	out := make([]string, len(c.images))
	for i, img := range c.images {
		out[i] = img.name
	}
	return out
}

// chain returns name's image and its ancestors, root first.
func (c *Catalogue) chain(name string) ([]*image, error) {
	var out []*image
	seen := map[string]bool{}
	for n := name; n != ""; {
		img, ok := c.byName[n]
		if !ok && len(out) == 0 {
			return nil, fmt.Errorf("%s: no image %q", c.file, n)
		}
		if !ok {
			return nil, fmt.Errorf("%s:%d: images.%s.from: no image %q in the catalogue", c.file, out[0].key.Line, out[0].name, n)
		}
		if seen[n] {
			return nil, fmt.Errorf("%s: images.%s: from: chain loops back to %q", c.file, name, n)
		}
		seen[n] = true
		out = append([]*image{img}, out...)
		n = img.from
	}
	return out, nil
}

// Template is one template in one leg.
type Template struct {
	// Name is the template's (image's) name.
	Name string `json:"name"`
	// OS is the leg's OS, a key of the OS table such as "debian12".
	OS string `json:"os"`
	// Leg is "cpu" or "cuda" and the CUDA version, such as "cuda12.4".
	Leg string `json:"leg"`
	// Cuda is the leg's CUDA version; "" for the CPU leg.
	Cuda string `json:"cuda,omitempty"`
	// Base is the image the leg is built on.
	Base string `json:"base"`
	// Description is the image's description label, or its nearest
	// ancestor's when it has none.
	Description string `json:"description"`
}

// Templates lists every template in every leg: templates in file order,
// then OSes by name, then the CPU leg and the CUDA legs newest first.
func (c *Catalogue) Templates() ([]Template, error) {
	legs, err := Legs()
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, img := range c.images {
		desc := c.description(img)
		for _, l := range legs {
			out = append(out, Template{Name: img.name, OS: l.OS, Leg: l.Name(), Cuda: l.Cuda, Base: l.Base, Description: desc})
		}
	}
	return out, nil
}

// description is img's description label, or its nearest ancestor's.
func (c *Catalogue) description(img *image) string {
	chain, _ := c.chain(img.name)
	for i := len(chain) - 1; i >= 0; i-- {
		if chain[i].description != "" {
			return chain[i].description
		}
	}
	return ""
}

// lookup returns the key and value nodes of key in mapping m, or nils.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}
