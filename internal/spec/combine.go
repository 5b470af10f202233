package spec

import (
	"fmt"
	"slices"
	"strings"
)

// scope is a set of axes and the rules that combine their values: the family
// matrix, or one image's axes, those it inherits and its own.
type scope struct {
	// axes are every axis of the scope, the inherited ones first.
	axes []*axisDecl
	// own are the scope's own axes, the tail of axes.
	own []*axisDecl
	// m holds the scope's exclude and include entries; nil for none.
	m *matrixDecl
	// parents are the combinations of the inherited axes; one empty
	// combination when there are none.
	parents [][]value
	// parent names the image whose variants parents are, "" when there is
	// none: an include entry of an image with a parent needs a parent variant.
	parent     string
	parentKeys map[string]bool
}

// combine returns the combinations of s: each parent combination times the
// cross product of the own axes, less those exclude matches, plus those
// include adds. Problems with the entries are reported.
func (d *decoder) combine(s scope) [][]value {
	index := make(map[string]int, len(s.axes))
	for i, a := range s.axes {
		index[a.name] = i
	}
	var exclude, include []entry
	if s.m != nil {
		exclude = d.checkEntries(s, index, s.m.exclude, "exclude")
		include = d.checkEntries(s, index, s.m.include, "include")
	}
	var out [][]value
	have := map[string]bool{}
	for _, p := range s.parents {
		for _, o := range cross(s.own) {
			c := append(slices.Clip(p), o...)
			if !excluded(c, exclude, index) {
				out = append(out, c)
				have[comboKey(c)] = true
			}
		}
	}
	for _, e := range include {
		c, ok := d.included(s, e)
		if !ok || have[comboKey(c)] {
			continue
		}
		have[comboKey(c)] = true
		out = append(out, c)
	}
	if len(out) == 0 && len(s.parents) > 0 && s.m != nil {
		d.errorf(s.m.pos, s.m.path, "exclude removes every combination")
	}
	return out
}

// included returns the combination include entry e adds; ok is false when
// it gives a fixed axis another value, or adds nothing its parent has.
func (d *decoder) included(s scope, e entry) ([]value, bool) {
	c := make([]value, len(s.axes))
	for i, a := range s.axes {
		c[i] = e.vals[a.name]
		if a.fixed && c[i].text != a.values[0].text {
			return nil, false
		}
	}
	if inh := len(s.axes) - len(s.own); s.parent != "" && !s.parentKeys[comboKey(c[:inh])] {
		d.fail(e.f, "image %q has no variant with %s", s.parent, describeCombo(s.axes, c[:inh]))
		return nil, false
	}
	return c, true
}

// checkEntries reports entries naming axes the scope does not have, include
// entries missing one, and exclude values no combination has; it returns the
// entries that are sound.
func (d *decoder) checkEntries(s scope, index map[string]int, entries []entry, key string) []entry {
	var out []entry
	for _, e := range entries {
		ok := true
		for _, k := range e.keys {
			if _, known := index[k]; !known {
				d.fail(e.f, "%s", unknownAxis(k, s.axes))
				ok = false
			}
		}
		if !ok {
			continue
		}
		if key == "include" {
			var missing []string
			for _, a := range s.axes {
				if _, has := e.vals[a.name]; !has {
					missing = append(missing, a.name)
				}
			}
			if len(missing) > 0 {
				d.fail(e.f, "missing %s: an include entry names every axis of the image (%s)", strings.Join(missing, ", "), axisNames(s.axes))
				continue
			}
		} else if !d.excludeValuesKnown(s, index, e) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// excludeValuesKnown reports the values of exclude entry e that no
// combination can have, unless an override fixed their axis.
func (d *decoder) excludeValuesKnown(s scope, index map[string]int, e entry) bool {
	ok := true
	for _, k := range e.keys {
		i, a := index[k], s.axes[index[k]]
		v := e.vals[k].text
		if a.fixed || slices.ContainsFunc(a.values, func(x value) bool { return x.text == v }) {
			continue
		}
		if i < len(s.axes)-len(s.own) && slices.ContainsFunc(s.parents, func(p []value) bool { return p[i].text == v }) {
			continue
		}
		vals := make([]string, len(a.values))
		for j, x := range a.values {
			vals[j] = x.text
		}
		d.fail(e.f, "%s is not a value of axis %s (%s)", v, k, strings.Join(vals, ", "))
		ok = false
	}
	return ok
}

// cross returns every combination of the values of axes, the first axis
// varying slowest; one empty combination for no axes.
func cross(axes []*axisDecl) [][]value {
	out := [][]value{{}}
	for _, a := range axes {
		next := make([][]value, 0, len(out)*len(a.values))
		for _, c := range out {
			for _, v := range a.values {
				next = append(next, append(slices.Clip(c), v))
			}
		}
		out = next
	}
	return out
}

// excluded reports whether an entry of exclude matches every value it names in c.
func excluded(c []value, exclude []entry, index map[string]int) bool {
	for _, e := range exclude {
		match := true
		for _, k := range e.keys {
			if c[index[k]].text != e.vals[k].text {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func unknownAxis(name string, axes []*axisDecl) string {
	if len(axes) == 0 {
		return fmt.Sprintf("unknown axis %q: there are no axes here", name)
	}
	return unknownMsg("axis", name, axisList(axes))
}

func axisList(axes []*axisDecl) []string {
	names := make([]string, len(axes))
	for i, a := range axes {
		names[i] = a.name
	}
	return names
}

func axisNames(axes []*axisDecl) string { return strings.Join(axisList(axes), ", ") }
