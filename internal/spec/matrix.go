package spec

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// matrixKeys are the keys of a matrix: mapping that are not axes.
var matrixKeys = []string{"exclude", "include", "tag"}

// versionPlaceholder is the tag template's name for the image's own tag:;
// no axis may be called so.
const versionPlaceholder = "version"

var axisNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// value is one value of an axis: its text, as written with booleans as
// true/false, and the scalar node that holds it (whose tag decides how a
// known axis sets its field).
type value struct {
	text string
	node *yaml.Node
}

// axisDecl is one axis as a matrix: mapping declares it.
type axisDecl struct {
	name   string
	values []value
	// fixed is true when an override set the axis to one value: include
	// entries that give it another value are dropped.
	fixed bool
	// owner says who declares the axis, for messages: "the family matrix" or
	// `image "NAME"`.
	owner string
	path  string
	pos   Position
}

// entry is one item of exclude: or include:, a mapping of axes to values.
type entry struct {
	f    field
	keys []string // axis names, in the order written
	vals map[string]value
}

// tagTemplate is matrix.tag: a tag with {axis} and {version} placeholders.
type tagTemplate struct {
	text string
	path string
	pos  Position
	// clashed is set once two variants were reported to get one tag from
	// it, so that the images inheriting it do not report it again.
	clashed bool
}

// matrixDecl is one matrix: mapping, at family level or on an image.
type matrixDecl struct {
	path    string
	pos     Position
	axes    []*axisDecl
	exclude []entry
	include []entry
	tag     *tagTemplate
}

// matrix decodes a matrix: mapping; owner names who declares it. Exclude and
// include entries are checked against the axes later, when every axis of an
// image is known. A null matrix gives nil.
func (d *decoder) matrix(f field, owner string) *matrixDecl {
	if isNull(f.val) {
		return nil
	}
	m := &matrixDecl{path: f.path, pos: f.pos}
	for _, c := range d.mapping(f, "a mapping of axes to values, with exclude, include and tag", nil) {
		switch c.name {
		case "exclude":
			m.exclude = d.entries(c)
		case "include":
			m.include = d.entries(c)
		case "tag":
			if s := d.str(c, nil); s != "" {
				m.tag = &tagTemplate{text: s, path: c.path, pos: c.pos}
			} else if !isNull(c.val) {
				d.fail(c, "must not be empty")
			}
		default:
			if a := d.axis(c, owner); a != nil {
				m.axes = append(m.axes, a)
			}
		}
	}
	return m
}

// axis decodes one axis: a list of values, or one value.
func (d *decoder) axis(f field, owner string) *axisDecl {
	switch {
	case !axisNameRE.MatchString(f.name):
		d.errorf(d.at(f.key), f.path, `invalid axis name %q: use lowercase letters, digits and "_", starting with a letter`, f.name)
		return nil
	case f.name == versionPlaceholder:
		d.errorf(d.at(f.key), f.path, "%q is not an axis name: {version} in a tag template is the image's own tag", f.name)
		return nil
	}
	a := &axisDecl{name: f.name, fixed: d.fixed[f.val], owner: owner, path: f.path, pos: f.pos}
	items := []field{f}
	switch {
	case isNull(f.val):
		items = nil
	case f.val.Kind == yaml.SequenceNode:
		items = d.list(f, "")
	case f.val.Kind != yaml.ScalarNode:
		d.fail(f, "expected a value or a list of values, got %s%s", describe(f.val), didYouMean(f.name, matrixKeys))
		return nil
	}
	if len(items) > 0 && items[0].val.Kind == yaml.MappingNode {
		if hint := didYouMean(f.name, matrixKeys); hint != "" {
			d.fail(f, "expected a value or a list of values, got a list of mappings%s", hint)
			return nil
		}
	}
	if len(items) == 0 {
		d.fail(f, "no values: list at least one")
		return nil
	}
	seen := map[string]Position{}
	for _, it := range items {
		v, ok := d.axisValue(it)
		if !ok {
			continue
		}
		if first, dup := seen[v.text]; dup {
			d.fail(it, "duplicate value %s (first at %s)", v.text, first)
			continue
		}
		seen[v.text] = it.pos
		a.values = append(a.values, v)
	}
	if len(a.values) == 0 {
		return nil
	}
	return a
}

// axisValue decodes one value of an axis: a string, number or boolean.
func (d *decoder) axisValue(f field) (value, bool) {
	n := f.val
	if b, ok := isBool(n); ok {
		return value{text: fmt.Sprint(b), node: n}, true
	}
	if !isText(n) {
		d.fail(f, "expected a string, number or boolean, got %s", describe(n))
		return value{}, false
	}
	if strings.TrimSpace(n.Value) == "" {
		d.fail(f, "empty value")
		return value{}, false
	}
	return value{text: n.Value, node: n}, true
}

// entries decodes exclude: or include:, a list of mappings of axes to values.
func (d *decoder) entries(f field) []entry {
	var out []entry
	for _, it := range d.list(f, "a list of mappings of axes to values") {
		if it.val.Kind != yaml.MappingNode {
			d.fail(it, "expected a mapping of axes to values, got %s", describe(it.val))
			continue
		}
		e := entry{f: it, vals: map[string]value{}}
		ok := true
		for _, c := range d.mapping(it, "a mapping of axes to values", nil) {
			v, good := d.axisValue(c)
			if !good {
				ok = false
				continue
			}
			e.keys = append(e.keys, c.name)
			e.vals[c.name] = v
		}
		switch {
		case !ok:
		case len(e.keys) == 0:
			d.fail(it, "empty: name at least one axis")
		default:
			out = append(out, e)
		}
	}
	return out
}

// didYouMean is ` (did you mean "KEY"?)` for the key of keys closest to
// name, or "" when none is close.
func didYouMean(name string, keys []string) string {
	if s := closest(name, keys); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// describeCombo writes the values of axes as "python=3.11 cuda=false".
func describeCombo(axes []*axisDecl, vals []value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = axes[i].name + "=" + v.text
	}
	return strings.Join(parts, " ")
}

// comboKey identifies a combination of values.
func comboKey(vals []value) string {
	var b strings.Builder
	for _, v := range vals {
		b.WriteString(v.text)
		b.WriteByte(0)
	}
	return b.String()
}
