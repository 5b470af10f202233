package spec

import (
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Override is one "image.key=value" override and where it was written.
type Override struct {
	// Value is the override as written, such as "python.tag=1.2".
	Value string
	// Pos is where it was written: a line of an override file, or
	// Position{File: OverrideFile, Line: its index} for --set.
	Pos Position
	// Optional is set by a leading "?" (?python-pytorch.pip=[]): the
	// override is skipped when the spec has no such image, so one override
	// file serves specs holding some of its images.
	Optional bool
}

// optionalMark starts an override that applies only to an image the spec has.
const optionalMark = "?"

// newOverride reads one override as written, with its optional mark.
func newOverride(s string, pos Position) Override {
	rest, optional := strings.CutPrefix(s, optionalMark)
	return Override{Value: strings.TrimSpace(rest), Pos: pos, Optional: optional}
}

// ReadOverrides splits the content of an override file, name, into its
// overrides: one image.key=value a line, exactly as --set takes them. Blank
// lines and lines starting with "#" are skipped, and each line is trimmed of
// surrounding spaces. Each override's Pos is name and its line. Problems with
// an override's content are reported by Parse, with the spec's own; the error
// here is an ErrorList naming the lines that are not valid UTF-8, or the line
// where data passes MaxOverrideFileBytes.
func ReadOverrides(name string, data []byte) ([]Override, error) {
	if e := tooLong(name, "the override file", data, MaxOverrideFileBytes); e != nil {
		return nil, ErrorList{e}
	}
	var out []Override
	var errs ErrorList
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pos := Position{File: name, Line: i + 1}
		if !utf8.ValidString(line) {
			errs = append(errs, &Error{Pos: pos, Msg: "not valid UTF-8"})
			continue
		}
		out = append(out, newOverride(line, pos))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// setOverrides positions command-line overrides at their 1-based index.
func setOverrides(sets []string) []Override {
	out := make([]Override, len(sets))
	for i, s := range sets {
		out[i] = newOverride(s, Position{File: OverrideFile, Line: i + 1})
	}
	return out
}

// applyOverrides applies each "image.key=value" to the spec's node tree, so
// the result goes through the same strict decoding as the file. Nodes it
// creates are remembered in d.origin so problems with them point at the
// override.
func (d *decoder) applyOverrides(root *yaml.Node, overrides []Override) {
	for _, o := range overrides {
		d.applyOverride(root, o)
	}
}

// applyOverride applies o to the family's matrix, to the image it names, or
// to every image its pattern matches (see overrideTargets), in the spec's
// order, each image with its own copy of the value.
func (d *decoder) applyOverride(root *yaml.Node, o Override) {
	pos, s := o.Pos, o.Value
	key, value, ok := strings.Cut(s, "=")
	segs := strings.Split(key, ".")
	_, images := lookup(root, "images")
	names := imageKeys(images)
	// matrix.AXIS=value sets the family's matrix, and push... its push
	// targets, unless an image has that name.
	family := (segs[0] == "matrix" || segs[0] == "push") && !slices.Contains(names, segs[0])
	p := "images." + key
	if family {
		p = key
	}
	if !ok {
		d.errorf(pos, p, "expected image.field=value, such as python.tag=1.2; %q has no \"=\"", s)
		return
	}
	if family && segs[0] == "push" {
		d.overridePush(root, o, segs, value)
		return
	}
	if len(segs) < 2 || slices.Contains(segs, "") {
		d.errorf(pos, p, "expected image.field=value, such as python.tag=1.2, got %q", s)
		return
	}
	val, err := parseValue(value)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "line 1: ")
		d.errorf(pos, p, "invalid value %q: %s", value, msg)
		return
	}
	if family {
		if d.overrideValue(val, pos, p, segs, true) {
			d.set(root, "", segs, val, pos)
		}
		return
	}
	targets := d.overrideTargets(segs[0], names, o)
	for i, name := range targets {
		if i > 0 {
			// Each image gets its own copy, so that a later override of one
			// image does not change the others.
			val, _ = parseValue(value)
		}
		field := "images." + name
		if !d.overrideValue(val, pos, join(field, strings.Join(segs[1:], ".")), segs, false) {
			return
		}
		_, img := lookup(images, name)
		d.set(img, field, segs[1:], val, pos)
	}
}

// imageKeys lists the keys of images, the spec's images: mapping, in order.
func imageKeys(images *yaml.Node) []string {
	var names []string
	if images != nil && images.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(images.Content); j += 2 {
			names = append(names, images.Content[j].Value)
		}
	}
	return names
}

// overrideValue prepares val, the value of the override at pos setting the
// field at path (segs as written), for the spec's tree: it marks it as made
// by the override, checks its aliases and records whether it fixes a matrix
// axis. It returns false after reporting a problem.
func (d *decoder) overrideValue(val *yaml.Node, pos Position, path string, segs []string, family bool) bool {
	d.mark(val, pos)
	if !d.checkAliases(val, path) {
		return false
	}
	if fixesAxis(segs, family) {
		d.fixed[val] = true
	}
	return true
}

// patternChars are the characters that make an override's image a pattern
// (path.Match's syntax, as buildx bake's --set takes); image names have none.
const patternChars = "*?[\\"

// overrideTargets returns the images, of names, that the override o sets:
// the one it names, or every one its pattern matches (python-*.env.DEBUG=1),
// in the spec's order. It reports an image that does not exist, a pattern
// that is not valid or matches no image, unless o is optional: then it
// returns none.
func (d *decoder) overrideTargets(image string, names []string, o Override) []string {
	known := "; the spec declares no images"
	if len(names) > 0 {
		known = "; known images: " + strings.Join(names, ", ")
	}
	if !strings.ContainsAny(image, patternChars) {
		if slices.Contains(names, image) {
			return []string{image}
		}
		if o.Optional {
			return nil
		}
		msg := fmt.Sprintf("image %q does not exist", image)
		sg := closest(image, names)
		if sg != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", sg)
		}
		msg += known
		if sg == "" && len(names) > 0 {
			msg += `; start the override with "?" to skip it where the image is absent`
		}
		d.errorf(o.Pos, "images."+image, "%s", msg)
		return nil
	}
	if _, err := path.Match(image, ""); err != nil {
		d.errorf(o.Pos, "images."+image, "invalid image pattern %q: %v (patterns use *, ? and [...], as path.Match)", image, err)
		return nil
	}
	var out []string
	for _, n := range names {
		if ok, _ := path.Match(image, n); ok {
			out = append(out, n)
		}
	}
	if len(out) == 0 && !o.Optional {
		d.errorf(o.Pos, "images."+image, "the pattern %q matches no image%s; start the override with \"?\" to skip it where no image matches", image, known)
	}
	return out
}

// fixesAxis reports whether an override of the field at segs (under images:
// unless family) sets one matrix axis: matrix.AXIS or IMAGE.matrix.AXIS.
func fixesAxis(segs []string, family bool) bool {
	if !family {
		segs = segs[1:]
	}
	return len(segs) == 2 && segs[0] == "matrix" && !slices.Contains(matrixKeys, segs[1])
}

// set sets the field at segs under cur, whose path is path, to val, making
// the mappings on the way that do not exist yet.
func (d *decoder) set(cur *yaml.Node, path string, segs []string, val *yaml.Node, pos Position) {
	for j, seg := range segs {
		if isNull(cur) {
			*cur = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: cur.Line, Column: cur.Column}
		}
		if cur.Kind != yaml.MappingNode {
			d.errorf(pos, path, "cannot set %q in it: it is %s, not a mapping", seg, describe(cur))
			return
		}
		k, v := lookup(cur, seg)
		if j == len(segs)-1 {
			if k != nil {
				replace(cur, k, val)
			} else {
				cur.Content = append(cur.Content, d.newKey(seg, pos), val)
			}
			return
		}
		if v == nil {
			v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			d.origin[v] = pos
			cur.Content = append(cur.Content, d.newKey(seg, pos), v)
		}
		cur = v
		path = join(path, seg)
	}
}

// parseValue parses an override's value as a YAML flow value; an empty value
// is the empty string. A value holding a second YAML document is an error,
// not cut short.
func parseValue(s string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(s))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, fmt.Errorf("it holds a second YAML document (at its line %d); a value is one YAML value", extra.Line)
	case !errors.Is(err, io.EOF):
		return nil, err
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, nil
	}
	return doc.Content[0], nil
}

// mark records every node under n as made by the override at pos.
func (d *decoder) mark(n *yaml.Node, pos Position) {
	d.origin[n] = pos
	for _, c := range n.Content {
		d.mark(c, pos)
	}
}

func (d *decoder) newKey(name string, pos Position) *yaml.Node {
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}
	d.origin[k] = pos
	return k
}

// lookup returns the first key node named key in mapping m and its value;
// nils if there is none. An alias value is replaced in m by a copy of what it
// names, so that changing it does not change the anchored original.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			if m.Content[i+1].Kind == yaml.AliasNode {
				m.Content[i+1] = deepCopy(resolve(m.Content[i+1]))
			}
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// deepCopy copies the tree under n, resolving aliases.
func deepCopy(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		c.Content[i] = deepCopy(resolve(child))
	}
	return &c
}

// replace sets the value of key node k in mapping m.
func replace(m, k, val *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i] == k {
			m.Content[i+1] = val
			return
		}
	}
}
