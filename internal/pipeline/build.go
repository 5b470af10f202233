package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/solve"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// Built is one image of a run, built (and maybe pushed) or skipped, as
// written to --metadata-file.
type Built struct {
	// Name is the image's name in the spec.
	Name string `json:"name"`
	// Parent is the family image it was built on, if any.
	Parent string `json:"parent,omitempty"`
	// Base is the external image at the root of its chain.
	Base string `json:"base"`
	// InputDigest is the digest of everything the image was built from.
	InputDigest string `json:"inputDigest"`
	// Action is "build", or "skip" when its tags already held it.
	Action change.Action `json:"action"`
	// Reasons say why it was built.
	Reasons []string `json:"reasons,omitempty"`
	// Changes say per field how its inputs changed (see change.Change).
	Changes []change.Change `json:"changes,omitempty"`
	// Digest is the image manifest's digest: the one built, or the one its
	// tags hold when skipped.
	Digest string `json:"digest"`
	// Refs are the tags written, when pushed, or the tags that already held
	// the image, when skipped.
	Refs []string `json:"refs,omitempty"`
	// ByDigest are the repository@digest references, when pushed or skipped.
	ByDigest []string `json:"byDigest,omitempty"`
	// Pushed says whether this run pushed the image.
	Pushed bool `json:"pushed"`
	// Checks names the checks that ran inside the image and passed; empty
	// when skipped.
	Checks []string `json:"checks"`
}

// Build compiles the planned images and solves those decisions say to build;
// with push it publishes them to their refs: every image by digest first,
// tags only after every image built and every push succeeded. An image that
// is skipped but has a child to build lends the child the image its tags
// hold. The result lists every decision's image, in plan order.
func Build(ctx context.Context, s *Session, planned *Planned, o Options, decisions []change.Decision, push bool, pub *publish.Publisher) ([]Built, error) {
	opts := []wsllb.Option{wsllb.WithPlatform(o.Platform), wsllb.WithPublished(publishedRefs(decisions))}
	if t, ok := planned.Plan.SourceDateEpoch(); ok {
		opts = append(opts, wsllb.WithSourceDateEpoch(t))
	}
	images, err := wsllb.Compile(planned.Plan, planned.Bases, opts...)
	if err != nil {
		return nil, err
	}
	var todo []*wsllb.Image
	for i, img := range images {
		if decisions[i].Action == change.Build {
			todo = append(todo, img)
		}
	}
	local, err := contentlocal.NewStore(filepath.Join(o.CacheDir, "content"))
	if err != nil {
		return nil, fmt.Errorf("opening content store in %q: %w", o.CacheDir, err)
	}
	store := solve.OneWriterStore(local)
	results, err := s.Solver.Build(ctx, todo, store)
	if err != nil {
		return nil, err
	}
	byNode := make(map[*plan.Node]change.Decision, len(decisions))
	for _, d := range decisions {
		byNode[d.Node] = d
	}
	built := make([]Built, len(images))
	var items []publish.Item
	var index []int // built[index[k]] is items[k]
	r := 0
	for i, img := range images {
		d := decisions[i]
		built[i] = describe(d)
		if d.Action == change.Skip {
			continue
		}
		built[i].Digest = results[r].Manifest.Digest.String()
		for _, c := range img.Checks {
			built[i].Checks = append(built[i].Checks, c.Name)
		}
		item, err := publishItem(ctx, store, d, byNode, results[r])
		if err != nil {
			return nil, err
		}
		r++
		items, index = append(items, item), append(index, i)
	}
	if !push || len(items) == 0 {
		return built, nil
	}
	pushed, err := pub.Publish(ctx, items)
	if err != nil {
		return built, err
	}
	for k, i := range index {
		built[i].Refs, built[i].ByDigest, built[i].Pushed = pushed[k].Refs, pushed[k].ByDigest, true
	}
	return built, nil
}

// Skipped is the metadata of a run that builds nothing: every image as its
// decision describes it.
func Skipped(decisions []change.Decision) []Built {
	out := make([]Built, len(decisions))
	for i, d := range decisions {
		out[i] = describe(d)
	}
	return out
}

// describe is the metadata of a decision before anything is built.
func describe(d change.Decision) Built {
	n := d.Node
	b := Built{Name: n.Name, Base: n.Base, InputDigest: n.InputDigest.String(), Action: d.Action, Reasons: d.Reasons, Changes: d.Changes, Checks: []string{}}
	if n.Parent != nil {
		b.Parent = n.Parent.Name
	}
	if d.Action == change.Skip {
		b.Digest = d.Existing.String()
		for _, r := range n.Refs {
			b.Refs = append(b.Refs, r.Name)
			b.ByDigest = append(b.ByDigest, r.Repository+"@"+d.Existing.String())
		}
	}
	return b
}

// publishItem is the publish.Item of a built image.
func publishItem(ctx context.Context, store content.Store, d change.Decision, byNode map[*plan.Node]change.Decision, res solve.Result) (publish.Item, error) {
	n := d.Node
	item := publish.Item{Name: n.Name}
	for _, r := range n.Refs {
		item.Refs = append(item.Refs, publish.Ref{Name: r.Name, Insecure: r.Insecure})
	}
	if n.Parent != nil {
		item.Parent = n.Parent.Name
		if pd := byNode[n.Parent]; pd.Action == change.Skip {
			item.ParentPushed = pd.Found
		}
	}
	var err error
	item.Image, err = publish.FromStore(ctx, store, res.Manifest)
	return item, err
}

// publishedRefs maps every skipped image to the pushed image its first tag
// holds, by digest, for children built on it.
func publishedRefs(decisions []change.Decision) map[string]string {
	out := map[string]string{}
	for _, d := range decisions {
		if d.Action == change.Skip && len(d.Node.Refs) > 0 {
			out[d.Node.Name] = d.Node.Refs[0].Repository + "@" + d.Existing.String()
		}
	}
	return out
}
