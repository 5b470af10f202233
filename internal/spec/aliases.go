package spec

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// sizeCap is where node counts stop growing, far above every limit, so that
// nested aliases cannot overflow them.
const sizeCap = 1 << 50

// aliases counts the nodes aliases add to YAML trees when expanded, across
// the spec and its --set values, with what it has counted of each anchored
// node remembered.
type aliases struct {
	size map[*yaml.Node]int64
	// added is how many nodes the aliases seen so far add.
	added int64
}

// checkAliases walks the tree under n, written at path, in document order
// and reports the alias that makes the aliases seen so far add more than
// MaxAliasNodes nodes, or that names a node containing itself. It returns
// false after reporting a problem; then n must not be expanded.
func (d *decoder) checkAliases(n *yaml.Node, path string) bool {
	if d.alias.size == nil {
		d.alias.size = map[*yaml.Node]int64{}
	}
	onPath := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node, path string) bool
	walk = func(n *yaml.Node, path string) bool {
		if n.Kind == yaml.AliasNode {
			return d.useAlias(n, path, onPath)
		}
		onPath[n] = true
		defer delete(onPath, n)
		for i, c := range n.Content {
			p := path
			switch {
			case n.Kind == yaml.SequenceNode:
				p = join(path, strconv.Itoa(i))
			case n.Kind == yaml.MappingNode && i%2 == 1 && n.Content[i-1].Kind == yaml.ScalarNode:
				p = join(path, n.Content[i-1].Value)
			}
			if !walk(c, p) {
				return false
			}
		}
		return true
	}
	return walk(n, path)
}

// useAlias counts what alias a, written at path, adds and reports it when it
// names a node that contains it, onPath, or passes the limit.
func (d *decoder) useAlias(a *yaml.Node, path string, onPath map[*yaml.Node]bool) bool {
	t := a.Alias
	if t == nil {
		return true
	}
	if onPath[t] {
		d.errorf(d.at(a), path, "alias *%s names %s that contains the alias itself: it would never end", a.Value, describe(t))
		return false
	}
	n := d.alias.expanded(t)
	d.alias.added = min(d.alias.added+n, sizeCap)
	if d.alias.added > MaxAliasNodes {
		d.errorf(d.at(a), path, "alias *%s expands to %s YAML nodes; with the aliases before it that is more than the %d nodes a spec's aliases may add (aliases of aliases multiply)",
			a.Value, count(n), MaxAliasNodes)
		return false
	}
	return true
}

// expanded is the number of nodes of the tree under n with every alias in
// it replaced by what it names; at most sizeCap. The tree holds no alias to
// a node containing it: those were reported where they were written, before
// any alias naming them.
func (c *aliases) expanded(n *yaml.Node) int64 {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return c.expanded(n.Alias)
	}
	if s, ok := c.size[n]; ok {
		return s
	}
	c.size[n] = sizeCap // in progress: a cycle missed would saturate, not loop
	s := int64(1)
	for _, ch := range n.Content {
		s = min(s+c.expanded(ch), sizeCap)
	}
	c.size[n] = s
	return s
}

// count writes n, or "more than 10^15" at sizeCap.
func count(n int64) string {
	if n >= sizeCap {
		return "more than 10^15"
	}
	return strconv.FormatInt(n, 10)
}
