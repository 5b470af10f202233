package spec

import (
	"fmt"
	"strings"
)

// checkFrom reports from: fields naming no image of the family, and every
// cycle of from: edges, once, as one problem listing each edge. It works on
// the images as declared, not on their variants.
func (d *decoder) checkFrom(fam *Family, decls []*decl) {
	names := make([]string, len(decls))
	from := make(map[string]string, len(decls))
	for i, dc := range decls {
		names[i], from[dc.name] = dc.name, dc.from
	}
	for _, n := range names {
		if from[n] == "" {
			continue
		}
		if _, ok := from[from[n]]; !ok {
			p := "images." + n + ".from"
			msg := fmt.Sprintf("image %q does not exist", from[n])
			if s := closest(from[n], names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.errorf(fam.At(p), p, "%s; known images: %s", msg, strings.Join(names, ", "))
		}
	}
	d.checkCycles(fam, names, from)
}

func (d *decoder) checkCycles(fam *Family, names []string, from map[string]string) {
	order := make(map[string]int, len(names))
	for i, n := range names {
		order[n] = i
	}
	state := make(map[string]int, len(names))
	for _, start := range names {
		var chain []string
		cur := start
		for state[cur] == unseen {
			state[cur] = onPath
			chain = append(chain, cur)
			next := from[cur]
			if _, ok := from[next]; !ok {
				break
			}
			cur = next
		}
		if state[cur] == onPath && from[chain[len(chain)-1]] == cur {
			for i, n := range chain {
				if n == cur {
					d.reportCycle(fam, chain[i:], from, order)
					break
				}
			}
		}
		for _, n := range chain {
			state[n] = done
		}
	}
}

// reportCycle reports the cycle cyc (each image's from is the next one),
// starting from the member the file declares first.
func (d *decoder) reportCycle(fam *Family, cyc []string, from map[string]string, order map[string]int) {
	first := 0
	for i, n := range cyc {
		if order[n] < order[cyc[first]] {
			first = i
		}
	}
	cyc = append(cyc[first:len(cyc):len(cyc)], cyc[:first]...)
	edges := make([]string, len(cyc))
	for i, n := range cyc {
		edges[i] = fmt.Sprintf("%s -> %s (%s)", n, from[n], fam.At("images."+n+".from"))
	}
	p := "images." + cyc[0] + ".from"
	d.errorf(fam.At(p), p, "cycle: %s", strings.Join(edges, ", "))
}

// checkRefLengths reports images whose repository, registry/namespace/name,
// is longer than distribution allows, for any push target.
func (d *decoder) checkRefLengths(fam *Family, decls []*decl) {
	for _, dc := range decls {
		n := dc.name
		p := "images." + n
		refs := []string{n}
		for _, t := range fam.Push {
			refs = append(refs, t.Registry+"/"+t.Namespace+"/"+n)
		}
		for _, ref := range refs {
			if len(ref) > maxRefLen {
				d.errorf(fam.At(p), p, "image reference %q is %d characters long; the limit is %d", ref, len(ref), maxRefLen)
				break
			}
		}
	}
}
