package spec

import (
	"fmt"
	"io/fs"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// decoder walks a YAML node tree (go.yaml.in/yaml/v3) strictly, collecting every problem and
// the position of every field it decodes.
type decoder struct {
	file string
	fsys fs.FS
	// origin maps nodes made by an override to where that override was written.
	origin map[*yaml.Node]Position
	// fixed holds the values overrides gave matrix axes with one value.
	fixed map[*yaml.Node]bool
	pos   map[string]Position
	errs  ErrorList
	// maxImages is how many images the family may have, variants included;
	// images counts those planned so far.
	maxImages, images int
	// nodes is how many more YAML nodes matrix variants may copy.
	nodes int64
	alias aliases
}

// field is one key/value pair of a mapping, or one item of a list (key nil).
type field struct {
	name string
	path string
	key  *yaml.Node
	val  *yaml.Node
	pos  Position
}

// at returns where node n was written.
func (d *decoder) at(n *yaml.Node) Position {
	if pos, ok := d.origin[n]; ok {
		return pos
	}
	return Position{File: d.file, Line: n.Line}
}

// pairAt returns where a key/value pair was written: at the override that set
// its value, if any, else at its key.
func (d *decoder) pairAt(k, v *yaml.Node) Position {
	if _, ok := d.origin[v]; ok {
		return d.at(v)
	}
	return d.at(k)
}

func (d *decoder) errorf(pos Position, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// fail reports a problem with f.
func (d *decoder) fail(f field, format string, args ...any) {
	d.errorf(f.pos, f.path, format, args...)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names the kind of value n holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return "a string"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "null"
		case "!!timestamp":
			return "a timestamp"
		case "!!binary":
			return "binary data"
		}
		return "a value tagged " + n.ShortTag()
	}
	return "nothing"
}

// mapping returns the pairs of mapping f.val in order, reporting keys that are
// not strings and duplicates. If known is not nil, keys outside it are
// reported as unknown fields and dropped. The position of every pair is
// recorded. A null value gives no pairs and no problem.
func (d *decoder) mapping(f field, expected string, known []string) []field {
	n := resolve(f.val)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(f, "expected %s, got %s", expected, describe(n))
		return nil
	}
	var out []field
	seen := map[string]Position{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(d.at(k), f.path, "keys must be strings, got %s", describe(k))
			continue
		}
		c := field{name: k.Value, path: join(f.path, k.Value), key: k, val: resolve(v), pos: d.pairAt(k, v)}
		if first, dup := seen[k.Value]; dup {
			d.fail(c, "duplicate key %q (first at %s)", k.Value, first)
			continue
		}
		seen[k.Value] = c.pos
		if known != nil && !slices.Contains(known, k.Value) {
			d.errorf(d.at(k), c.path, "%s", unknownMsg("field", k.Value, known))
			continue
		}
		d.pos[c.path] = c.pos
		out = append(out, c)
	}
	return out
}

// list returns the items of list f.val, recording their positions. A null
// value gives no items and no problem.
func (d *decoder) list(f field, expected string) []field {
	n := resolve(f.val)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(f, "expected %s, got %s", expected, describe(n))
		return nil
	}
	out := make([]field, 0, len(n.Content))
	for i, v := range n.Content {
		c := field{name: strconv.Itoa(i), path: join(f.path, strconv.Itoa(i)), val: resolve(v), pos: d.at(v)}
		d.pos[c.path] = c.pos
		out = append(out, c)
	}
	return out
}

// scalar returns the text of a string or number; ok is false, with no problem
// reported, for null.
func (d *decoder) scalar(f field, expected string) (s string, ok bool) {
	n := f.val
	if isNull(n) {
		return "", false
	}
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float":
			return n.Value, true
		}
	}
	d.fail(f, "expected %s, got %s", expected, describe(n))
	return "", false
}

// str decodes a string field; numbers are taken as written ("3.10" stays
// "3.10"). check, if not nil, validates and may normalise the value.
func (d *decoder) str(f field, check func(string) (string, error)) string {
	s, ok := d.scalar(f, "a string")
	if !ok {
		return ""
	}
	if check != nil {
		v, err := check(s)
		if err != nil {
			d.fail(f, "%v", err)
			return s
		}
		s = v
	}
	return s
}

// strList decodes a list of strings, checking (and normalising) each item
// with check, if not nil. Items that fail are reported and dropped.
func (d *decoder) strList(f field, expected, item string, check func(string) (string, error)) []string {
	items := d.list(f, expected)
	if items == nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := d.scalar(it, item)
		if !ok {
			if isNull(it.val) {
				d.fail(it, "expected %s, got null", item)
			}
			continue
		}
		if check != nil {
			v, err := check(s)
			if err != nil {
				d.fail(it, "%v", err)
				continue
			}
			s = v
		}
		out = append(out, s)
	}
	return out
}

// strMap decodes a mapping of strings to strings; booleans are taken as
// written. checkKey, if not nil, validates each key.
func (d *decoder) strMap(f field, checkKey func(string) error) map[string]string {
	pairs := d.mapping(f, "a mapping of strings", nil)
	if pairs == nil {
		return nil
	}
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		if checkKey != nil {
			if err := checkKey(p.name); err != nil {
				d.fail(p, "%v", err)
				continue
			}
		}
		if p.val.Kind == yaml.ScalarNode && p.val.ShortTag() == "!!bool" {
			out[p.name] = p.val.Value
			continue
		}
		s, ok := d.scalar(p, "a string")
		if !ok {
			if isNull(p.val) {
				d.fail(p, "expected a string, got null")
			}
			continue
		}
		out[p.name] = s
	}
	return out
}

// integer decodes an integer field; ok is false for null or on a problem.
func (d *decoder) integer(f field) (v int, ok bool) {
	n := f.val
	if isNull(n) {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.fail(f, "expected an integer, got %s", describe(n))
		return 0, false
	}
	var i int64
	if err := n.Decode(&i); err != nil || i < -1<<31 || i > 1<<31-1 {
		d.fail(f, "integer %s is out of range", n.Value)
		return 0, false
	}
	return int(i), true
}

// boolean decodes a true/false field.
func (d *decoder) boolean(f field) bool {
	n := f.val
	if isNull(n) {
		return false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.fail(f, "expected true or false, got %s", describe(n))
		return false
	}
	return b
}
