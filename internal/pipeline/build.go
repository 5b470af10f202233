package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/solve"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// Built is one built (and maybe pushed) image, as written to --metadata-file.
type Built struct {
	// Name is the image's name in the spec.
	Name string `json:"name"`
	// Parent is the family image it was built on, if any.
	Parent string `json:"parent,omitempty"`
	// Base is the external image at the root of its chain.
	Base string `json:"base"`
	// InputDigest is the digest of everything the image was built from.
	InputDigest string `json:"inputDigest"`
	// Digest is the image manifest's digest.
	Digest string `json:"digest"`
	// Refs are the tags written, when pushed.
	Refs []string `json:"refs,omitempty"`
	// ByDigest are the repository@digest references, when pushed.
	ByDigest []string `json:"byDigest,omitempty"`
	// Pushed says whether the image was pushed.
	Pushed bool `json:"pushed"`
	// Checks names the checks that ran inside the image and passed.
	Checks []string `json:"checks"`
}

// Build compiles and solves the planned images and, with push, publishes
// them to their refs: every image by digest first, tags only after every
// image built and every push succeeded.
func Build(ctx context.Context, s *Session, planned *Planned, o Options, push bool, pub *publish.Publisher) ([]Built, error) {
	opts := []wsllb.Option{wsllb.WithPlatform(o.Platform)}
	if t, ok := planned.Plan.SourceDateEpoch(); ok {
		opts = append(opts, wsllb.WithSourceDateEpoch(t))
	}
	images, err := wsllb.Compile(planned.Plan, planned.Bases, opts...)
	if err != nil {
		return nil, err
	}
	local, err := contentlocal.NewStore(filepath.Join(o.CacheDir, "content"))
	if err != nil {
		return nil, fmt.Errorf("opening content store in %q: %w", o.CacheDir, err)
	}
	store := solve.OneWriterStore(local)
	results, err := s.Solver.Build(ctx, images, store)
	if err != nil {
		return nil, err
	}
	built := make([]Built, len(images))
	items := make([]publish.Item, len(images))
	for i, img := range images {
		n := img.Node
		built[i] = Built{Name: n.Name, Base: n.Base, InputDigest: n.InputDigest.String(), Digest: results[i].Manifest.Digest.String()}
		for _, c := range img.Checks {
			built[i].Checks = append(built[i].Checks, c.Name)
		}
		items[i] = publish.Item{Name: n.Name}
		if n.Parent != nil {
			built[i].Parent, items[i].Parent = n.Parent.Name, n.Parent.Name
		}
		for _, r := range n.Refs {
			items[i].Refs = append(items[i].Refs, publish.Ref{Name: r.Name, Insecure: r.Insecure})
		}
		if items[i].Image, err = publish.FromStore(ctx, store, results[i].Manifest); err != nil {
			return nil, err
		}
	}
	if !push {
		return built, nil
	}
	pushed, err := pub.Publish(ctx, items)
	if err != nil {
		return built, err
	}
	for i := range built {
		built[i].Refs, built[i].ByDigest, built[i].Pushed = pushed[i].Refs, pushed[i].ByDigest, true
	}
	return built, nil
}
