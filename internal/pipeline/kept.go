package pipeline

import (
	"context"
	"fmt"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/plan"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// buildKept compiles the plan and builds the images of todo, children of
// skipped images on those images' LLB where the builder made them from it
// (see solvedLog). A child whose built layers do not start with the layers
// its skipped ancestor's tags hold (the builder's cache lost them, and the
// ancestor's steps ran again to other bytes) is built again on the pushed
// ancestor, so every image stands on exactly what its parent's tags hold.
// The log learns what was built.
func (ru *run) buildKept(ctx context.Context, decisions []change.Decision, todo []int, log *solvedLog) ([]*wsllb.Image, []Output, error) {
	images, kept, err := ru.compile(ctx, decisions, log, nil)
	if err != nil {
		return nil, nil, err
	}
	outs, err := ru.build(ctx, images, todo)
	if err != nil {
		return nil, nil, err
	}
	if bad := mismatchedKept(decisions, todo, outs, kept); len(bad) > 0 {
		var names []string
		for name, m := range bad {
			names = append(names, name)
			log.refuse(m)
		}
		slices.Sort(names)
		fmt.Fprintf(ru.o.Log, "wsbuild: the builder's cache no longer gives what the tags of %v hold; building their children again on the pushed images\n", names)
		drop := map[string]bool{}
		for _, name := range names {
			drop[name] = true
		}
		if images, _, err = ru.compile(ctx, decisions, log, drop); err != nil {
			return nil, nil, err
		}
		var redo, at []int
		for k, i := range todo {
			if hasAncestorIn(decisions[i].Node, drop) {
				redo, at = append(redo, i), append(at, k)
			}
		}
		again, err := ru.build(ctx, images, redo)
		if err != nil {
			return nil, nil, err
		}
		for j, k := range at {
			outs[k] = again[j]
		}
	}
	ru.recordSolved(ctx, log, images, todo, outs)
	return images, outs, nil
}

// mismatchedKept returns, by name, the kept skipped images (with the
// manifest their tags hold) that some built child does not stand on: its
// layers do not start with theirs.
func mismatchedKept(decisions []change.Decision, todo []int, outs []Output, kept map[string]bool) map[string]digest.Digest {
	byNode := map[*plan.Node]change.Decision{}
	for _, d := range decisions {
		byNode[d.Node] = d
	}
	bad := map[string]digest.Digest{}
	for k, i := range todo {
		a := nearestSkipped(decisions[i].Node, byNode)
		if a == nil || !kept[a.Node.Name] {
			continue
		}
		if !startsWith(outs[k].Image, pushedLayers(*a)) {
			bad[a.Node.Name] = digest.Digest(a.ExistingImage.String())
		}
	}
	return bad
}

// nearestSkipped is the closest ancestor of n that the run skips, or nil.
func nearestSkipped(n *plan.Node, byNode map[*plan.Node]change.Decision) *change.Decision {
	for a := n.Parent; a != nil; a = a.Parent {
		if d := byNode[a]; d.Action == change.Skip {
			return &d
		}
	}
	return nil
}

// hasAncestorIn says whether an ancestor of n is named in names.
func hasAncestorIn(n *plan.Node, names map[string]bool) bool {
	for a := n.Parent; a != nil; a = a.Parent {
		if names[a.Name] {
			return true
		}
	}
	return false
}

// pushedLayers are the layers of the manifest a skipped image's tags hold.
func pushedLayers(d change.Decision) []v1.Hash {
	for _, f := range d.Found {
		if f.Exists && f.Digest == d.Existing {
			return f.Layers
		}
	}
	return nil
}

// startsWith says whether img's layers begin with want (and want is known).
func startsWith(img v1.Image, want []v1.Hash) bool {
	if img == nil || len(want) == 0 {
		return false
	}
	m, err := img.Manifest()
	if err != nil || len(m.Layers) < len(want) {
		return false
	}
	for i, h := range want {
		if m.Layers[i].Digest != h {
			return false
		}
	}
	return true
}

// recordSolved tells log which manifest every built image's LLB gave, and
// saves it; a log that cannot be saved is only reported (it is a hint).
func (ru *run) recordSolved(ctx context.Context, log *solvedLog, images []*wsllb.Image, todo []int, outs []Output) {
	for k, i := range todo {
		state, err := images[i].StateDigest(ctx)
		if err != nil || outs[k].Image == nil {
			continue
		}
		m, err := outs[k].Image.Digest()
		if err != nil {
			continue
		}
		log.add(digest.Digest(m.String()), state)
	}
	if err := log.write(); err != nil {
		fmt.Fprintf(ru.o.Log, "wsbuild: %v (only the next run's speed suffers)\n", err)
	}
}
