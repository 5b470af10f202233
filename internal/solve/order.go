package solve

import (
	"context"
	"strings"

	wsllb "github.com/wsbuild/wsbuild/llb"
)

// exportOrder holds back a child's export, when buildkitd pushes by digest,
// until its parent's push in the same run has finished. BuildKit labels a
// layer with the repository it was pushed to only once that push is done,
// and mounts the layer into another repository of the registry only when it
// carries that label; a child exporting while its parent still pushes (a
// small child ends its steps while the parent's big layer is compressed and
// sent) would send the parent's layers to the registry a second time. The
// child's steps and checks do not wait, only its export does.
type exportOrder struct {
	// done[i] is closed once build i has ended, exported or failed.
	done []chan struct{}
	// parent[i] is the index of the build whose export i waits for, or -1.
	parent []int
}

// newExportOrder orders the exports of jobs, one per image of images.
func newExportOrder(images []*wsllb.Image, jobs []job) *exportOrder {
	o := &exportOrder{done: make([]chan struct{}, len(images)), parent: make([]int, len(images))}
	index := map[string]int{}
	for i, img := range images {
		o.done[i] = make(chan struct{})
		index[img.Node.Name] = i
	}
	for i, img := range images {
		o.parent[i] = -1
		if img.Node.Parent == nil {
			continue
		}
		p, ok := index[img.Node.Parent.Name]
		if ok && sameRegistry(jobs[i].export, jobs[p].export) {
			o.parent[i] = p
		}
	}
	return o
}

// sameRegistry says whether buildkitd pushes both exports, to one registry.
func sameRegistry(a, b export) bool {
	if a.pushTo == nil || b.pushTo == nil {
		return false
	}
	host := func(repo string) string { h, _, _ := strings.Cut(repo, "/"); return h }
	return host(a.pushTo.Repository) == host(b.pushTo.Repository)
}

// ended says that build i has ended.
func (o *exportOrder) ended(i int) { close(o.done[i]) }

// waitParent waits until the build whose export build i waits for has
// ended, or ctx is done.
func (o *exportOrder) waitParent(ctx context.Context, i int) error {
	p := o.parent[i]
	if p < 0 {
		return nil
	}
	select {
	case <-o.done[p]:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
