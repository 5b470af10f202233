package spec

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// decl is one image as declared under images:, before its variants are made.
type decl struct {
	name string
	f    field
	// from is from: as written; "" when absent.
	from string
	// base is true when the image sets base: its chain starts here.
	base bool
	// own is the image's matrix:; nil for none.
	own *matrixDecl
	// parent is the declared image from: names; nil for an image with base
	// and when from: names no image or is part of a cycle.
	parent *decl
	// axes are every axis of the image: the family's, then each ancestor's
	// from the root down, then its own.
	axes []*axisDecl
	// tag is the tag template in effect: its own, the closest ancestor's or
	// the family's; nil for the default.
	tag *tagTemplate
	// combos are the image's combinations of axis values, one per variant.
	combos [][]value
	// keys holds the comboKey of every combination.
	keys map[string]bool
	// names maps the comboKey of each variant made to its name.
	names map[string]string
	// images are the variants made, in the order of combos.
	images []*Image
	state  int
}

// States of a decl while expand orders images parents first.
const (
	unseen = iota
	onPath
	done
)

// declare reads what expansion needs of an image before decoding it: its
// from:, whether it sets base:, and its matrix:.
func (d *decoder) declare(f field) *decl {
	dc := &decl{name: f.name, f: f, names: map[string]string{}}
	if f.val.Kind != yaml.MappingNode {
		return dc
	}
	if _, v := pair(f.val, "from"); v != nil && isText(v) {
		dc.from = v.Value
	}
	if _, v := pair(f.val, "base"); v != nil && !isNull(v) {
		dc.base = true
	}
	if k, v := pair(f.val, "matrix"); k != nil {
		mf := field{name: "matrix", path: join(f.path, "matrix"), key: k, val: v, pos: d.pairAt(k, v)}
		dc.own = d.matrix(mf, fmt.Sprintf("image %q", f.name))
	}
	return dc
}

// expand makes the variants of every declared image and adds them to fam:
// first the combinations of every image, parents first, then the variants,
// in the order the file declares the images.
func (d *decoder) expand(fam *Family, fm *matrixDecl, decls []*decl) {
	byName := make(map[string]*decl, len(decls))
	for _, dc := range decls {
		byName[dc.name] = dc
	}
	root := &decl{combos: [][]value{{}}}
	if fm != nil {
		root.axes, root.tag = fm.axes, fm.tag
		s := scope{axes: fm.axes, own: fm.axes, m: fm, parents: root.combos}
		root.combos = nil
		if d.allowCombos(s, "the family matrix", fm.pos, fm.path) {
			root.combos = d.combine(s)
		}
	}
	var visit func(dc *decl)
	visit = func(dc *decl) {
		if dc.state != unseen {
			return
		}
		dc.state = onPath
		if p := byName[dc.from]; p != nil && dc.from != "" {
			visit(p)
			if p.state == done {
				dc.parent = p
			}
		}
		d.combinations(dc, root)
		dc.state = done
	}
	for _, dc := range decls {
		visit(dc)
	}
	for _, dc := range decls {
		d.variants(dc)
	}
	for _, dc := range decls {
		for i, img := range dc.images {
			if p := dc.parent; p != nil && len(dc.axes) > 0 {
				if name, ok := p.names[comboKey(dc.combos[i][:len(p.axes)])]; ok {
					img.From = name
				}
			}
			fam.Images[img.Name] = img
			fam.Names = append(fam.Names, img.Name)
		}
	}
}

// combinations works out the axes, tag template and combinations of dc from
// those of its parent, or of the family matrix, root, for an image without one.
func (d *decoder) combinations(dc, root *decl) {
	from, parentName := root, ""
	if dc.parent != nil {
		from, parentName = dc.parent, dc.parent.name
	}
	dc.tag = from.tag
	var own []*axisDecl
	if m := dc.own; m != nil {
		for _, a := range m.axes {
			if prev := findAxis(from.axes, a.name); prev != nil {
				d.errorf(a.pos, a.path, "axis %s is already declared by %s (%s); an image may not redeclare an axis it inherits", a.name, prev.owner, prev.pos)
				continue
			}
			if a.name == "cuda" && !dc.base {
				d.errorf(a.pos, a.path, "the cuda axis sets cuda, which is set where the chain starts (the image with base): declare it there or in the family matrix")
			}
			own = append(own, a)
		}
		if m.tag != nil {
			dc.tag = m.tag
		}
		if m.tag != nil && len(from.axes)+len(own) == 0 {
			d.errorf(m.tag.pos, m.tag.path, "the image has no axes, so no variants to tag")
		}
	}
	dc.axes = append(slices.Clip(from.axes), own...)
	s := scope{axes: dc.axes, own: own, m: dc.own, parents: from.combos}
	if dc.parent != nil {
		s.parent, s.parentKeys = parentName, dc.parent.keys
	}
	dc.combos = nil
	pos, path := dc.f.pos, dc.f.path
	if dc.own != nil {
		pos, path = dc.own.pos, dc.own.path
	}
	if d.allowCombos(s, fmt.Sprintf("image %q", dc.name), pos, path) {
		dc.combos = d.combine(s)
		d.images += len(dc.combos)
	}
	dc.keys = make(map[string]bool, len(dc.combos))
	for _, c := range dc.combos {
		dc.keys[comboKey(c)] = true
	}
}

// variants decodes one image per combination of dc, named and tagged. An
// image without axes is decoded as written and keeps its name.
func (d *decoder) variants(dc *decl) {
	if len(dc.axes) == 0 {
		img := d.image(dc.f)
		dc.images, dc.names[""] = []*Image{img}, dc.name
		dc.combos = [][]value{{}}
		return
	}
	if !d.allowCopies(dc) {
		dc.combos = nil
		return
	}
	var combos [][]value
	tags := map[string][]value{}
	clash := newClashes()
	badTag := false
	for _, c := range dc.combos {
		f := dc.f
		f.val = d.variantNode(dc, c)
		img := d.image(f)
		tag, ok := d.renderTag(dc, c, img.Tag, !badTag)
		if !ok {
			badTag = true
			continue
		}
		if first, dup := tags[tag]; dup {
			clash.add(tag, first, c)
			continue
		}
		tags[tag] = c
		img.Name, img.Repository, img.Tag = dc.name+":"+tag, dc.name, tag
		img.Axes = make([]Axis, len(c))
		for i, v := range c {
			img.Axes[i] = Axis{Name: dc.axes[i].name, Value: v.text}
		}
		dc.names[comboKey(c)] = img.Name
		dc.images = append(dc.images, img)
		combos = append(combos, c)
	}
	dc.combos = combos
	d.reportClashes(dc, clash)
}

// clashes collects the tags two or more variants of an image get.
type clashes struct {
	tags   []string
	first  map[string][2][]value
	others map[string]int
}

func newClashes() *clashes {
	return &clashes{first: map[string][2][]value{}, others: map[string]int{}}
}

// add records that combinations a and b both get tag.
func (c *clashes) add(tag string, a, b []value) {
	if _, seen := c.first[tag]; seen {
		c.others[tag]++
		return
	}
	c.tags = append(c.tags, tag)
	c.first[tag] = [2][]value{a, b}
}

// reportClashes reports each tag several variants of dc get, once; an
// image whose template an ancestor's clash was already reported at stays
// quiet.
func (d *decoder) reportClashes(dc *decl, c *clashes) {
	if len(c.tags) == 0 || (dc.tag != nil && dc.tag.clashed) {
		return
	}
	if dc.tag != nil {
		dc.tag.clashed = true
	}
	pos, path := dc.tagAt()
	for _, tag := range c.tags {
		pair := c.first[tag]
		more, verb := "", "both get"
		if n := c.others[tag]; n > 0 {
			more, verb = fmt.Sprintf(" (and %d more)", n), "all get"
		}
		d.errorf(pos, path, "variants %s and %s%s of image %q %s tag %q; put the axes that tell them apart in the tag template",
			describeCombo(dc.axes, pair[0]), describeCombo(dc.axes, pair[1]), more, dc.name, verb, tag)
	}
}

// variantNode returns a copy of dc's node for combination c: every {axis}
// placeholder replaced, python set where the chain starts or where the axis
// is declared, cuda where the chain starts.
func (d *decoder) variantNode(dc *decl, c []value) *yaml.Node {
	n := d.clone(dc.f.val)
	vars := make(map[string]string, len(c))
	for i, a := range dc.axes {
		vars[a.name] = c[i].text
	}
	substNode(n, vars, true)
	for i, a := range dc.axes {
		switch {
		case a.name == "python" && (dc.base || (dc.own != nil && slices.Contains(dc.own.axes, a))):
			d.setField(n, "python", c[i])
		case a.name == "cuda" && dc.base:
			d.setField(n, "cuda", c[i])
		}
	}
	return n
}

// tagAt is where dc's tag template was written: the template, else the
// image's matrix:, else the image.
func (dc *decl) tagAt() (Position, string) {
	switch {
	case dc.tag != nil:
		return dc.tag.pos, dc.tag.path
	case dc.own != nil:
		return dc.own.pos, dc.own.path
	}
	return dc.f.pos, dc.f.path
}

func findAxis(axes []*axisDecl, name string) *axisDecl {
	for _, a := range axes {
		if a.name == name {
			return a
		}
	}
	return nil
}
