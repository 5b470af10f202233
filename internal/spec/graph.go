package spec

import (
	"fmt"
	"strings"
)

// checkFrom reports from: fields naming no image of the family, and every
// cycle of from: edges, once, as one problem listing each edge.
func (d *decoder) checkFrom(fam *Family) {
	for _, n := range fam.Names {
		img := fam.Images[n]
		if img.From == "" {
			continue
		}
		if _, ok := fam.Images[img.From]; !ok {
			p := "images." + n + ".from"
			msg := fmt.Sprintf("image %q does not exist", img.From)
			if s := closest(img.From, fam.Names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.errorf(fam.At(p), p, "%s; known images: %s", msg, strings.Join(fam.Names, ", "))
		}
	}
	d.checkCycles(fam)
}

func (d *decoder) checkCycles(fam *Family) {
	const (
		unseen = iota
		onPath
		done
	)
	order := make(map[string]int, len(fam.Names))
	for i, n := range fam.Names {
		order[n] = i
	}
	state := make(map[string]int, len(fam.Names))
	for _, start := range fam.Names {
		var chain []string
		cur := start
		for state[cur] == unseen {
			state[cur] = onPath
			chain = append(chain, cur)
			next := fam.Images[cur].From
			if _, ok := fam.Images[next]; !ok {
				break
			}
			cur = next
		}
		if state[cur] == onPath && fam.Images[chain[len(chain)-1]].From == cur {
			for i, n := range chain {
				if n == cur {
					d.reportCycle(fam, chain[i:], order)
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
func (d *decoder) reportCycle(fam *Family, cyc []string, order map[string]int) {
	first := 0
	for i, n := range cyc {
		if order[n] < order[cyc[first]] {
			first = i
		}
	}
	cyc = append(cyc[first:len(cyc):len(cyc)], cyc[:first]...)
	edges := make([]string, len(cyc))
	for i, n := range cyc {
		edges[i] = fmt.Sprintf("%s -> %s (%s)", n, fam.Images[n].From, fam.At("images."+n+".from"))
	}
	p := "images." + cyc[0] + ".from"
	d.errorf(fam.At(p), p, "cycle: %s", strings.Join(edges, ", "))
}

// checkRefLengths reports images whose full name, registry/namespace/name, is
// longer than distribution allows, for any push target.
func (d *decoder) checkRefLengths(fam *Family) {
	for _, n := range fam.Names {
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
