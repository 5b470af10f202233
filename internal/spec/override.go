package spec

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// applyOverrides applies each "image.key=value" to the spec's node tree, so
// the result goes through the same strict decoding as the file. Nodes it
// creates are remembered in d.origin so problems with them point at the
// override.
func (d *decoder) applyOverrides(root *yaml.Node, sets []string) {
	for i, s := range sets {
		d.applyOverride(root, i+1, s)
	}
}

func (d *decoder) applyOverride(root *yaml.Node, idx int, s string) {
	pos := Position{File: OverrideFile, Line: idx}
	key, value, ok := strings.Cut(s, "=")
	segs := strings.Split(key, ".")
	p := "images." + key
	if !ok {
		d.errorf(pos, p, "expected image.field=value, such as python.tag=1.2; %q has no \"=\"", s)
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
	d.mark(val, idx)

	var names []string
	var img *yaml.Node
	if _, images := lookup(root, "images"); images != nil && images.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(images.Content); j += 2 {
			names = append(names, images.Content[j].Value)
		}
		_, img = lookup(images, segs[0])
	}
	if img == nil {
		msg := fmt.Sprintf("image %q does not exist", segs[0])
		if sg := suggest(segs[0], names); sg != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", sg)
		}
		if len(names) == 0 {
			msg += "; the spec declares no images"
		} else {
			msg += "; known images: " + strings.Join(names, ", ")
		}
		d.errorf(pos, "images."+segs[0], "%s", msg)
		return
	}

	cur := img
	for j, seg := range segs[1:] {
		curPath := "images." + strings.Join(segs[:j+1], ".")
		if isNull(cur) {
			*cur = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: cur.Line, Column: cur.Column}
		}
		if cur.Kind != yaml.MappingNode {
			d.errorf(pos, curPath, "cannot set %q in it: it is %s, not a mapping", seg, describe(cur))
			return
		}
		k, v := lookup(cur, seg)
		if j == len(segs)-2 {
			if k != nil {
				replace(cur, k, val)
			} else {
				cur.Content = append(cur.Content, d.newKey(seg, idx), val)
			}
			return
		}
		if v == nil {
			v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			d.origin[v] = idx
			cur.Content = append(cur.Content, d.newKey(seg, idx), v)
		}
		cur = v
	}
}

// parseValue parses an override's value as a YAML flow value; an empty value
// is the empty string.
func parseValue(s string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, nil
	}
	return doc.Content[0], nil
}

// mark records every node under n as made by override idx.
func (d *decoder) mark(n *yaml.Node, idx int) {
	d.origin[n] = idx
	for _, c := range n.Content {
		d.mark(c, idx)
	}
}

func (d *decoder) newKey(name string, idx int) *yaml.Node {
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}
	d.origin[k] = idx
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
