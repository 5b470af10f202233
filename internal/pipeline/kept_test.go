package pipeline

import (
	"context"
	"github.com/wsbuild/wsbuild/internal/buildcache"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/moby/buildkit/solver/pb"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/change"
	wsllb "github.com/wsbuild/wsbuild/llb"
	"google.golang.org/protobuf/proto"
)

// layeredDaemon builds like buildkitd would: a child is its parent's image
// plus a layer of its own. A child built on its parent's LLB gets the image
// the fake last made of that parent, unless the fake lost its cache: then
// the parent comes out anew, with other layers. A child built on the pushed
// parent gets what was pushed.
type layeredDaemon struct {
	registry string // the push registry's host, to tell pushed parents
	lost     bool

	mu     sync.Mutex
	images map[string]v1.Image // the image last made of each name
	pushed map[string]v1.Image // the image first made of each name: what its tags hold in these tests
	log    []string            // "name on llb" or "name on pushed", in build order
}

func (d *layeredDaemon) open(context.Context, Options) (Daemon, error) { return d, nil }

func (d *layeredDaemon) ResolveBases(ctx context.Context, refs []string, p ocispec.Platform) (map[string]wsllb.Base, error) {
	return (*openFake)(&fakeDaemon{}).ResolveBases(ctx, refs, p)
}

func (d *layeredDaemon) Close() error { return nil }

func (d *layeredDaemon) Build(ctx context.Context, images []*wsllb.Image) ([]Output, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Output, len(images))
	for i, img := range images {
		below := empty.Image
		if p := img.Node.Parent; p != nil {
			onPushed, err := standsOn(ctx, img, d.registry+"/t/"+p.Name+"@")
			if err != nil {
				return nil, err
			}
			switch {
			case onPushed:
				d.log = append(d.log, img.Node.Name+" on pushed")
				below = d.pushed[p.Name]
			case d.lost:
				d.log = append(d.log, img.Node.Name+" on llb")
				below = layer(empty.Image)
			default:
				d.log = append(d.log, img.Node.Name+" on llb")
				below = d.images[p.Name]
			}
		}
		made := mutate.Annotations(layer(below), img.Annotations).(v1.Image)
		d.images[img.Node.Name] = made
		if d.pushed[img.Node.Name] == nil {
			d.pushed[img.Node.Name] = made
		}
		out[i].Image = made
	}
	return out, nil
}

// layer is below with one random layer more.
func layer(below v1.Image) v1.Image {
	l, err := random.Layer(64, "application/vnd.oci.image.layer.v1.tar")
	if err != nil {
		panic(err)
	}
	img, err := mutate.AppendLayers(below, l)
	if err != nil {
		panic(err)
	}
	return img
}

// standsOn says whether img's LLB pulls an image whose reference starts
// with prefix.
func standsOn(ctx context.Context, img *wsllb.Image, prefix string) (bool, error) {
	def, err := img.Definition(ctx)
	if err != nil {
		return false, err
	}
	for _, raw := range def.Def {
		var op pb.Op
		if err := proto.Unmarshal(raw, &op); err != nil {
			return false, err
		}
		if id := op.GetSource().GetIdentifier(); strings.HasPrefix(strings.TrimPrefix(id, "docker-image://"), prefix) {
			return true, nil
		}
	}
	return false, nil
}

// TestChildOfSkippedParentKeepsItsCacheKeys builds a parent and a child,
// then changes only the child: it is built on the parent's LLB (the
// builder made the pushed parent from it), not on the pulled parent. When
// the builder's cache lost the parent and it comes out with other layers,
// the child is built again on the pushed parent, so what is pushed still
// stands on what the parent's tags hold; and from then on, even with a
// cache import, on the pushed parent only.
func TestChildOfSkippedParentKeepsItsCacheKeys(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "child")
	d := &layeredDaemon{registry: reg.host, images: map[string]v1.Image{}, pushed: map[string]v1.Image{}}
	r, err := New(WithOpener(d.open), WithPublisher(reg.publisher(t)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Build(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	// A cache import keeps the parent's LLB even where the log has no
	// word of it, until the LLB gave other layers than the pushed parent.
	from, err := buildcache.Parse(buildcache.Import, "type=local,src="+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		set   string
		lost  bool
		cache bool
		want  []string
	}{
		{"child.env.EDIT=1", false, false, []string{"child on llb"}},
		{"child.env.EDIT=2", true, false, []string{"child on llb", "child on pushed"}},
		{"child.env.EDIT=3", false, true, []string{"child on pushed"}},
	} {
		o.CacheFrom = nil
		if tc.cache {
			o.CacheFrom = []buildcache.Entry{from}
		}
		d.log, d.lost = nil, tc.lost
		o.Sets = []string{tc.set}
		res, err := r.Build(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(d.log, ", "); got != strings.Join(tc.want, ", ") {
			t.Errorf("%s (cache lost: %v): built %s, want %s", tc.set, tc.lost, got, strings.Join(tc.want, ", "))
		}
		if res.Images[0].Action != change.Skip || res.Images[1].Action != change.Build {
			t.Fatalf("%s: actions %s, %s; want skip, build", tc.set, res.Images[0].Action, res.Images[1].Action)
		}
		parent, _ := d.pushed["python"].Manifest()
		child, _ := d.images["child"].Manifest()
		if child.Layers[0].Digest != parent.Layers[0].Digest {
			t.Errorf("%s: the pushed child does not stand on the pushed parent", tc.set)
		}
	}
}
