package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/publish"
)

// Target names where a family's images are: a registry and a namespace
// that replace, when not "", those of every push target of the spec.
type Target struct {
	// Registry is a registry host[:port].
	Registry string
	// Namespace is a path in it, such as "team-a/staging".
	Namespace string
}

// Promoted is one image Promote copied.
type Promoted struct {
	// Name is the image's name in the spec.
	Name string
	// Digest is the digest of what its tags hold, the same in both places:
	// the image manifest, or the index of it and its attestations.
	Digest v1.Hash
	// InputDigest is the input digest it was built from.
	InputDigest digest.Digest
	// From is the tag it was copied from.
	From string
	// Refs are the tags it now has where it was promoted to.
	Refs []string
}

// Promote copies the selected images of the spec o names, as the spec's push
// targets with from over them hold them, to its push targets with
// o.Registry and o.Namespace over them, by digest and without building:
// blobs mount across repositories of one registry and stream from one
// registry to another, and manifests keep their bytes, so their input
// digest annotations come along and a build against the new place skips
// what was promoted. Every source must hold an image built from the spec as
// it is now (its input digest is the plan's), and the destination must
// accept pushes, before anything is copied; tags move once every image is
// there, all or none.
func (r *Runner) Promote(ctx context.Context, o Options, from Target) (_ []Promoted, err error) {
	if from == (Target{}) && o.Registry == "" && o.Namespace == "" {
		return nil, &InputError{errors.New("promote needs a source (--from-registry, --from-namespace) or a destination (--registry, --namespace) other than the spec's push targets")}
	}
	ru, err := r.start(ctx, o, true)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, ru.close()) }()
	so := ru.o
	so.Registry, so.Namespace = from.Registry, from.Namespace
	sp, err := r.check(so, false)
	if err != nil {
		return nil, err
	}
	sources, err := ru.promotionSources(ctx, sp)
	if err != nil {
		return nil, fmt.Errorf("nothing promoted: %w", err)
	}
	for i, n := range ru.plan.Nodes {
		if slices.Contains(n.Refs, sp.Nodes[i].Refs[0]) {
			return nil, &InputError{fmt.Errorf("nothing promoted: image %q would be copied onto itself (%s); give another --registry or --namespace", n.Name, sp.Nodes[i].Refs[0].Name)}
		}
	}
	images, err := ru.sourceImages(ctx, sp, sources)
	if err != nil {
		return nil, fmt.Errorf("nothing promoted: %w", err)
	}
	items := make([]publish.Item, len(ru.plan.Nodes))
	for i, n := range ru.plan.Nodes {
		items[i] = publish.Item{Name: n.Name, Image: images[i].image, Index: images[i].index, Refs: n.Refs, Parent: parentName(n)}
	}
	pushed, err := copyImages(ctx, ru.publisher, items, "promoted")
	if err != nil {
		return nil, err
	}
	out := make([]Promoted, len(pushed))
	for i, pu := range pushed {
		out[i] = Promoted{Name: pu.Name, Digest: pu.Digest, InputDigest: sources[i].InputDigest,
			From: sources[i].Ref, Refs: pu.Refs}
	}
	return out, nil
}

// sourced is an image read from where it was pushed, with the index of it
// and its attestations its tags hold (nil when they hold the image).
type sourced struct {
	image v1.Image
	index v1.ImageIndex
}

// sourceImages reads, for every image of the run's plan, the image its
// source lookup found (sources, in order) where sp's first push target holds it.
func (ru *run) sourceImages(ctx context.Context, sp *plan.Plan, sources []publish.Found) ([]sourced, error) {
	out := make([]sourced, len(sp.Nodes))
	for i, n := range sp.Nodes {
		img, idx, err := ru.publisher.Source(ctx, n.Refs[0], sources[i].Digest)
		if err != nil {
			return nil, fmt.Errorf("image %q: %w", n.Name, err)
		}
		out[i] = sourced{image: img, index: idx}
	}
	return out, nil
}

// parentName is the name of n's parent, "" for none.
func parentName(n *plan.Node) string {
	if n.Parent == nil {
		return ""
	}
	return n.Parent.Name
}

// copyImages asks every repository of items whether it takes a push, then
// pushes every item by digest and moves the tags, all or none, through
// pub: what promote and import do once they have their images. done says
// what nothing was, in errors ("promoted", "imported").
func copyImages(ctx context.Context, pub Publisher, items []publish.Item, done string) ([]publish.Pushed, error) {
	var refs []oci.Ref
	for _, it := range items {
		refs = append(refs, it.Refs...)
	}
	if err := pub.CheckPush(ctx, refs); err != nil {
		return nil, fmt.Errorf("nothing %s: %w", done, err)
	}
	pushed, err := pub.Push(ctx, items)
	if err != nil {
		return nil, fmt.Errorf("nothing %s (no tag moved): %w", done, err)
	}
	return pub.Tag(ctx, pushed)
}

// promotionSources looks up, for every image of the run's plan, what the
// first push target of sp (the same spec with the source's registry and
// namespace) holds, and checks it is that image as the spec builds it now.
func (ru *run) promotionSources(ctx context.Context, sp *plan.Plan) ([]publish.Found, error) {
	if len(sp.Nodes) != len(ru.plan.Nodes) {
		return nil, fmt.Errorf("the source plan has %d images, the destination's %d", len(sp.Nodes), len(ru.plan.Nodes))
	}
	refs := make([]oci.Ref, len(sp.Nodes))
	for i, n := range sp.Nodes {
		refs[i] = n.Refs[0]
	}
	found, err := ru.publisher.Lookup(ctx, refs, ru.o.imagePlatform())
	if err != nil {
		return nil, err
	}
	var errs []error
	for i, f := range found {
		n := ru.plan.Nodes[i]
		switch {
		case !f.Exists:
			errs = append(errs, fmt.Errorf("image %q: %s holds no image; build and push it there first", n.Name, f.Ref))
		case f.NoImage != "":
			errs = append(errs, fmt.Errorf("image %q: %s holds an index: %s", n.Name, f.Ref, f.NoImage))
		case f.InputDigest == "":
			errs = append(errs, fmt.Errorf("image %q: %s was not built by wsbuild (its manifest has no %s annotation)", n.Name, f.Ref, oci.AnnotationInputDigest))
		case f.InputDigest != n.InputDigest:
			errs = append(errs, fmt.Errorf("image %q: %s was built from other inputs (input digest %s) than the spec's now (%s); build and push it there first, or use the spec (and flags) it was built with",
				n.Name, f.Ref, f.InputDigest, n.InputDigest))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return found, nil
}
