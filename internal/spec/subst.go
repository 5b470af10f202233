package spec

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// placeholderRE matches an {axis} placeholder.
var placeholderRE = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)

// substitute replaces each {name} in s that vars has by its value, except
// where "$" comes before it, so that a shell's ${HOME} stays as written.
func substitute(s string, vars func(string) (string, bool)) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > 0 && s[m[0]-1] == '$' {
			continue
		}
		v, ok := vars(s[m[2]:m[3]])
		if !ok {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(v)
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// substNode substitutes vars in every string scalar under n, mapping keys
// aside; at the top (the image's mapping) matrix: is left as written.
func substNode(n *yaml.Node, vars map[string]string, top bool) {
	lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	var walk func(n *yaml.Node, top bool)
	walk = func(n *yaml.Node, top bool) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if !(top && n.Content[i].Value == "matrix") {
					walk(n.Content[i+1], false)
				}
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, false)
			}
		case yaml.ScalarNode:
			if n.ShortTag() == "!!str" {
				n.Value = substitute(n.Value, lookup)
			}
		}
	}
	walk(n, top)
}

// clone copies the tree under n, resolving aliases; copies of nodes an
// override made keep that override's position.
func (d *decoder) clone(n *yaml.Node) *yaml.Node {
	r := resolve(n)
	c := *r
	if pos, ok := d.origin[n]; ok {
		d.origin[&c] = pos
	} else if pos, ok := d.origin[r]; ok {
		d.origin[&c] = pos
	}
	c.Content = make([]*yaml.Node, len(r.Content))
	for i, child := range r.Content {
		c.Content[i] = d.clone(child)
	}
	return &c
}

// setField sets field key of image mapping n to the axis value v: the
// version of a mapping such as python: {version, via}, else the whole field.
// A boolean replaces a mapping (cuda: false). The new nodes are placed where
// v was written.
func (d *decoder) setField(n *yaml.Node, key string, v value) {
	if n.Kind != yaml.MappingNode {
		return
	}
	pos := d.at(v.node)
	val := *v.node
	val.Content = nil
	d.origin[&val] = pos
	k, cur := pair(n, key)
	switch {
	case k == nil:
		n.Content = append(n.Content, d.newKey(key, pos), &val)
	case cur.Kind == yaml.MappingNode && v.node.ShortTag() != "!!bool":
		if vk, _ := pair(cur, "version"); vk != nil {
			replace(cur, vk, &val)
		} else {
			cur.Content = append(cur.Content, d.newKey("version", pos), &val)
		}
	default:
		replace(n, k, &val)
	}
}

// pair returns the first key node named key in mapping m and its value,
// aliases resolved; nils if there is none. Unlike lookup it changes nothing.
func pair(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], resolve(m.Content[i+1])
		}
	}
	return nil, nil
}
