package solve

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// pushedTo is an export buildkitd pushes to repo by digest.
func pushedTo(repo string) export {
	return export{pushTo: &oci.Ref{Name: repo + ":1", Repository: repo}}
}

func TestExportOrderWaitsForTheParentOnOneRegistry(t *testing.T) {
	python := &plan.Node{Name: "python"}
	torch := &plan.Node{Name: "torch", Parent: python}
	jupyter := &plan.Node{Name: "jupyter", Parent: torch}
	elsewhere := &plan.Node{Name: "elsewhere", Parent: python}
	orphan := &plan.Node{Name: "orphan", Parent: &plan.Node{Name: "not-in-this-run"}}
	stored := &plan.Node{Name: "stored", Parent: python}
	images := []*wsllb.Image{{Node: jupyter}, {Node: python}, {Node: torch}, {Node: elsewhere}, {Node: orphan}, {Node: stored}}
	jobs := []job{
		{export: pushedTo("r.example/ns/jupyter")},
		{export: pushedTo("r.example/ns/python")},
		{export: pushedTo("r.example/other/torch")},
		{export: pushedTo("mirror.example/ns/elsewhere")},
		{export: pushedTo("r.example/ns/orphan")},
		{export: export{}}, // exported into the store: nothing to mount
	}
	o := newExportOrder(images, jobs)
	want := []int{2, -1, 1, -1, -1, -1}
	for i, p := range want {
		if o.parent[i] != p {
			t.Errorf("%s waits for build %d, want %d", images[i].Node.Name, o.parent[i], p)
		}
	}

	waited := make(chan error, 1)
	go func() { waited <- o.waitParent(context.Background(), 0) }()
	select {
	case err := <-waited:
		t.Fatalf("jupyter's export went ahead (%v) before torch's build ended", err)
	case <-time.After(50 * time.Millisecond):
	}
	o.ended(2)
	if err := <-waited; err != nil {
		t.Fatalf("waiting for torch: %v", err)
	}
	if err := o.waitParent(context.Background(), 1); err != nil {
		t.Fatalf("python has no parent to wait for, got %v", err)
	}
}

func TestExportOrderStopsWaitingWhenTheRunIsCancelled(t *testing.T) {
	python := &plan.Node{Name: "python"}
	images := []*wsllb.Image{{Node: python}, {Node: &plan.Node{Name: "torch", Parent: python}}}
	o := newExportOrder(images, []job{{export: pushedTo("r/ns/python")}, {export: pushedTo("r/ns/torch")}})
	stop := errors.New("interrupted")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(stop)
	if err := o.waitParent(ctx, 1); !errors.Is(err, stop) {
		t.Fatalf("waitParent after cancel = %v, want %v", err, stop)
	}
}
