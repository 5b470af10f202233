// Package change decides which images of a plan a run builds. An image whose
// every target tag already holds an image built from the same input digest
// is skipped; any other image is built, and because an image's input digest
// covers its parent's, a changed image takes all of its descendants with it.
// A built image's reasons say how its inputs changed (Diff, Reason), from the
// input values the image a tag holds carries (oci.AnnotationInputValues).
// Deciding is pure: what the registries hold is looked up beforehand.
package change

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/publish"
)

// Action is what a run does with one image.
type Action string

// Actions.
const (
	// Build solves, checks and (with --push) pushes the image.
	Build Action = "build"
	// Skip leaves the image as its tags already hold it.
	Skip Action = "skip"
)

// Decision is what a run does with one planned image, and why.
type Decision struct {
	// Node is the planned image.
	Node *plan.Node
	// Action is Build or Skip.
	Action Action
	// Changed names the inputs (keys of plan.Node.Inputs) that differ from
	// those of the image a tag holds; empty when none could be compared.
	Changed []string
	// Changes say how each input of Changed differs, per field; with more
	// than one tag holding other images, each different change once.
	Changes []Change
	// Reasons say, in words, why the image is built; empty when skipped.
	Reasons []string
	// Existing is the digest of what the image's tags hold when skipped:
	// the image manifest, or an index of it and its attestations.
	Existing v1.Hash
	// ExistingImage is, when skipped, the image manifest's digest: Existing,
	// or the image's in that index.
	ExistingImage v1.Hash
	// Found is what each of the image's refs holds now, in the refs' order.
	Found []publish.Found
}

// Decide returns one decision per node of p, in p's order. found holds what
// each target ref of p holds now, keyed by ref; a ref missing from found is
// treated as not existing. With force, every image is built.
func Decide(p *plan.Plan, found map[string]publish.Found, force bool) []Decision {
	out := make([]Decision, len(p.Nodes))
	for i, n := range p.Nodes {
		out[i] = decide(n, found, force)
	}
	return out
}

func decide(n *plan.Node, found map[string]publish.Found, force bool) Decision {
	d := Decision{Node: n, Action: Build}
	if force {
		d.Reasons = []string{"--force was given"}
		return d
	}
	if len(n.Refs) == 0 {
		d.Reasons = []string{"the spec has no push targets to compare with"}
		return d
	}
	changed := map[string]bool{}
	seen := map[string]bool{}
	for _, r := range n.Refs {
		f, ok := found[r.Name]
		if !ok {
			f = publish.Found{Ref: r.Name}
		}
		d.Found = append(d.Found, f)
		switch {
		case !ok || !f.Exists:
			d.Reasons = append(d.Reasons, fmt.Sprintf("%s does not exist yet", r.Name))
		case f.InputDigest == "":
			if f.NoImage != "" {
				d.Reasons = append(d.Reasons, fmt.Sprintf("%s holds an index: %s", r.Name, f.NoImage))
			} else {
				d.Reasons = append(d.Reasons, fmt.Sprintf("%s holds an image without a wsbuild input digest", r.Name))
			}
		case f.InputDigest != n.InputDigest:
			names := Changed(f.Inputs, n.Inputs)
			if len(names) == 0 {
				d.Reasons = append(d.Reasons, fmt.Sprintf("%s was built from other inputs (%s)", r.Name, f.InputDigest))
			}
			for _, name := range names {
				changed[name] = true
			}
			for _, c := range Diff(f.Inputs, f.Values, n, names) {
				if key := string(mustJSON(c)); !seen[key] {
					seen[key] = true
					d.Changes = append(d.Changes, c)
				}
			}
		default:
			d.Existing, d.ExistingImage = f.Digest, f.Image
			if f.Image == (v1.Hash{}) { // a Found made without lookup
				d.ExistingImage = f.Digest
			}
		}
	}
	if len(d.Reasons) == 0 && len(changed) == 0 {
		d.Action = Skip
		return d
	}
	for name := range changed {
		d.Changed = append(d.Changed, name)
	}
	sort.Strings(d.Changed)
	sort.SliceStable(d.Changes, func(i, j int) bool { return d.Changes[i].Input < d.Changes[j].Input })
	var reasons []string
	for _, c := range d.Changes {
		if r := Reason(n, c); !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	d.Reasons = append(reasons, d.Reasons...)
	d.Existing, d.ExistingImage = v1.Hash{}, v1.Hash{}
	return d
}

// Changed lists, sorted, the names of the inputs that differ between before
// and after, including those only one of them has. It is empty when before
// is nil: an image pushed without its inputs cannot be compared.
func Changed(before, after map[string]digest.Digest) []string {
	if before == nil {
		return nil
	}
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Describe says in words what the input called name of n is.
func Describe(n *plan.Node, name string) string {
	switch {
	case name == "parent" && n.Parent != nil:
		return fmt.Sprintf("parent %q changed", n.Parent.Name)
	case name == "parent":
		return "the image no longer has a parent"
	case name == "base":
		return fmt.Sprintf("base changed to %q", n.Base)
	case name == "baseDigest":
		return fmt.Sprintf("base %q now resolves to %s", n.Base, n.BaseDigest)
	case name == "version":
		return "wsbuild's templates changed"
	case name == "platform":
		return "the target platform changed"
	case name == "requirements":
		return fmt.Sprintf("file %q changed", n.Spec.Requirements)
	case strings.HasPrefix(name, plan.FileInput):
		return fmt.Sprintf("file %q changed", strings.TrimPrefix(name, plan.FileInput))
	}
	return fmt.Sprintf("spec field %q changed", name)
}

// Refs lists every target ref of p's nodes, for publish.Publisher.Lookup.
func Refs(p *plan.Plan) []oci.Ref {
	var out []oci.Ref
	for _, n := range p.Nodes {
		out = append(out, n.Refs...)
	}
	return out
}
