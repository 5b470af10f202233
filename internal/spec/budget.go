package spec

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxImagesHint says how to raise the image limit.
const maxImagesHint = "wsbuild's --max-images raises the limit"

// checkDeclared reports an images: mapping, f, declaring more images than
// the family may have, before any of them is decoded; false when it does.
func (d *decoder) checkDeclared(f field) bool {
	n := resolve(f.val)
	if n.Kind != yaml.MappingNode || len(n.Content)/2 <= d.maxImages {
		return true
	}
	d.fail(f, "declares %d images, more than the %d a family may have (%s)", len(n.Content)/2, d.maxImages, maxImagesHint)
	return false
}

// allowCombos counts the combinations scope s can make, before exclude
// drops any, and reports them when, with the images counted before, they
// make more images than the family may have; false when it does. owner
// names who has them, pos and path where their axes are declared.
func (d *decoder) allowCombos(s scope, owner string, pos Position, path string) bool {
	n := int64(len(s.parents))
	for _, a := range s.own {
		n = min(n*int64(len(a.values)), sizeCap)
	}
	if s.m != nil {
		n = min(n+int64(len(s.m.include)), sizeCap)
	}
	if int64(d.images)+n <= int64(d.maxImages) {
		return true
	}
	more := "more"
	if d.images > 0 {
		more = fmt.Sprintf("with the %d images before them, more", d.images)
	}
	d.errorf(pos, path, "axes %s make %s combinations of %s (counted before exclude), %s than the %d images a family may have (%s)",
		axisSizes(s.axes), count(n), owner, more, d.maxImages, maxImagesHint)
	return false
}

// axisSizes writes each axis with its number of values: "python (2), cuda (3)".
func axisSizes(axes []*axisDecl) string {
	parts := make([]string, len(axes))
	for i, a := range axes {
		parts[i] = fmt.Sprintf("%s (%d)", a.name, len(a.values))
	}
	return strings.Join(parts, " x ")
}

// allowCopies takes from the family's node budget what making a variant of
// dc for each of its combinations copies, and reports it when the budget is
// short; false when it is.
func (d *decoder) allowCopies(dc *decl) bool {
	each := (&aliases{size: map[*yaml.Node]int64{}}).expanded(dc.f.val)
	need := min(each*int64(len(dc.combos)), sizeCap)
	if need <= d.nodes {
		d.nodes -= need
		return true
	}
	limit := int64(d.maxImages) * NodesPerImage
	d.fail(dc.f, "its %d variants would copy %s YAML nodes (%d each, aliases expanded); the variants of a family may copy %d in all, %d per image it may have (%s)",
		len(dc.combos), count(need), each, limit, NodesPerImage, maxImagesHint)
	return false
}
