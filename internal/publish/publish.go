// Package publish pushes built images to registries with go-containerregistry.
// Publishing is all or nothing as far as registries allow: every image is
// pushed by digest first, and tags move only once every push succeeded. Blobs
// a registry already has are not sent again, and a child's parent layers are
// mounted from the parent's repository rather than uploaded twice.
package publish

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// tagTimeout bounds the tag phase, which ignores cancellation.
const tagTimeout = 2 * time.Minute

// Item is one image to publish.
type Item struct {
	// Name is the image's name in the spec.
	Name string
	// Image is the built image.
	Image v1.Image
	// Parent names the item this image is built on ("" for none); it must
	// come earlier in the list, and its refs name the same targets in the
	// same order.
	Parent string
	// Refs are the tags to push to.
	Refs []oci.Ref
	// ParentPushed is what the parent's tags hold, one per ref in the same
	// order, when the parent is not published in this run because it is
	// already up to date; the layers they share are mounted from there.
	ParentPushed []Found
	// Index, when not nil, is what the tags hold instead of Image: an
	// image index listing Image and what is attested about it (see package
	// attest). Image is pushed first, as without it, then the index.
	Index v1.ImageIndex
}

// Pushed records where one image went.
type Pushed struct {
	// Name is the image's name in the spec.
	Name string
	// Digest is the digest of what the tags hold: the image manifest's,
	// or the index's when the item had one.
	Digest v1.Hash
	// Refs are the tags written; empty until Tag wrote them.
	Refs []string
	// ByDigest are the digest references, one per tag.
	ByDigest []string

	image remote.Taggable // what Tag points the tags at
	tags  []name.Tag      // the tags Tag writes
}

// Publisher pushes images.
type Publisher struct {
	opts options
}

type options struct {
	keychain  authn.Keychain
	transport http.RoundTripper
	jobs      int
}

// Option configures a Publisher.
type Option func(*options) error

// WithKeychain sets where registry credentials come from. Default:
// authn.DefaultKeychain (the Docker config and its credential helpers).
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) error { o.keychain = k; return nil }
}

// WithTransport sets the HTTP transport. Default: go-containerregistry's
// default transport with a response header timeout (see headerTimeout).
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) error { o.transport = t; return nil }
}

// WithJobs sets how many blobs of one image upload at once. Default: 4.
func WithJobs(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("jobs must be at least 1, got %d", n)
		}
		o.jobs = n
		return nil
	}
}

// New returns a Publisher.
func New(opts ...Option) (*Publisher, error) {
	o := options{keychain: authn.DefaultKeychain, transport: defaultTransport(), jobs: 4}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return &Publisher{opts: o}, nil
}

func (p *Publisher) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx), remote.WithAuthFromKeychain(p.opts.keychain),
		remote.WithTransport(p.opts.transport), remote.WithJobs(p.opts.jobs),
		remote.WithRetryBackoff(retryBackoff),
	}
}

// Publish pushes every item by digest (Push) and then, unless ctx was
// cancelled meanwhile, writes every tag (Tag). If any push fails, no tag is
// written.
func (p *Publisher) Publish(ctx context.Context, items []Item) ([]Pushed, error) {
	pushed, err := p.Push(ctx, items)
	if err != nil {
		return nil, err
	}
	return p.Tag(ctx, pushed)
}

// Push pushes every item by digest to the repository of each of its refs,
// parents first, and writes no tag. Every ref is checked before anything is
// sent. It stops at the first failure, and the error names the image and
// the reference. WithStatus shows its progress.
func (p *Publisher) Push(ctx context.Context, items []Item, opts ...PushOption) ([]Pushed, error) {
	var po pushOptions
	for _, opt := range opts {
		opt(&po)
	}
	prepared, err := prepare(items)
	if err != nil {
		return nil, err
	}
	pushed := make([]Pushed, len(items))
	for i, it := range prepared {
		pushed[i] = Pushed{Name: it.Name, Digest: it.tagged, image: it.taggable(), tags: it.tags}
		for j, tag := range it.tags {
			img, err := withParentMounts(it, it.parent, j)
			if err != nil {
				return nil, fmt.Errorf("image %q: %w", it.Name, err)
			}
			byDigest := tag.Context().Digest(it.digest.String())
			if err := p.write(ctx, byDigest, tag, img, it.layers, po.status); err != nil {
				return nil, fmt.Errorf("image %q: %w", it.Name, p.explain(err, "pushing to", byDigest))
			}
			if it.Index != nil {
				byDigest = tag.Context().Digest(it.tagged.String())
				if err := remote.WriteIndex(byDigest, it.Index, p.remoteOptions(ctx)...); err != nil {
					return nil, fmt.Errorf("image %q: %w", it.Name, p.explain(err, "pushing the index of its attestations to", byDigest))
				}
			}
			pushed[i].ByDigest = append(pushed[i].ByDigest, byDigest.String())
		}
	}
	return pushed, nil
}

// Tag points every tag of every image Push pushed at it: the step that
// makes a run visible, taken once every image is in every registry by
// digest. It does not start when ctx is already done; once started, it
// finishes even on Ctrl-C (within a bounded time), so the tags of one run
// move together. It returns pushed with Refs filled in.
func (p *Publisher) Tag(ctx context.Context, pushed []Pushed) ([]Pushed, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("publishing cancelled before any tag moved: %w", err)
	}
	for _, pu := range pushed {
		if pu.image == nil && len(pu.ByDigest) > 0 {
			return nil, fmt.Errorf("image %q: not pushed by this publisher, cannot tag it", pu.Name)
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tagTimeout)
	defer cancel()
	before, err := p.tagsBefore(ctx, pushed)
	if err != nil {
		return nil, fmt.Errorf("no tag moved: %w", err)
	}
	out := make([]Pushed, len(pushed))
	var moved []name.Tag
	for i, pu := range pushed {
		out[i] = pu
		out[i].Refs = nil
		for _, tag := range pu.tags {
			if err := remote.Tag(tag, pu.image, p.remoteOptions(ctx)...); err != nil {
				return nil, p.putBack(ctx, p.explain(err, "tagging", tag), moved, before)
			}
			moved = append(moved, tag)
			out[i].Refs = append(out[i].Refs, tag.String())
		}
	}
	return out, nil
}

// prepared is an Item with everything publishing needs worked out once.
type prepared struct {
	Item
	tags   []name.Tag
	digest v1.Hash      // the image manifest's
	tagged v1.Hash      // what the tags hold: digest, or the index's
	layers []v1.Hash    // layer digests, in order
	parent *mountSource // nil when there is no parent to mount layers from
}

// prepare parses every ref and reads every digest before anything is sent.
func prepare(items []Item) ([]*prepared, error) {
	out := make([]*prepared, len(items))
	byName := map[string]*prepared{}
	for i, it := range items {
		p := &prepared{Item: it}
		var insecure []bool
		for _, r := range it.Refs {
			tag, err := parseTag(r)
			if err != nil {
				return nil, fmt.Errorf("image %q: %w", it.Name, err)
			}
			p.tags = append(p.tags, tag)
			insecure = append(insecure, r.Insecure)
		}
		var err error
		if parent := byName[it.Parent]; parent != nil {
			p.parent = fromPrepared(parent)
		} else if len(it.ParentPushed) == len(it.Refs) {
			if p.parent, err = fromFound(it.ParentPushed, insecure); err != nil {
				return nil, fmt.Errorf("image %q: parent: %w", it.Name, err)
			}
		}
		if p.digest, err = it.Image.Digest(); err != nil {
			return nil, fmt.Errorf("digest of image %q: %w", it.Name, err)
		}
		p.tagged = p.digest
		if it.Index != nil {
			if p.tagged, err = it.Index.Digest(); err != nil {
				return nil, fmt.Errorf("digest of the index of image %q: %w", it.Name, err)
			}
		}
		if p.layers, err = layerDigests(it.Image); err != nil {
			return nil, fmt.Errorf("image %q: %w", it.Name, err)
		}
		out[i], byName[it.Name] = p, p
	}
	return out, nil
}

// taggable is what the item's tags hold.
func (p *prepared) taggable() remote.Taggable {
	if p.Index != nil {
		return p.Index
	}
	return p.Image
}

func layerDigests(img v1.Image) ([]v1.Hash, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading layers: %w", err)
	}
	out := make([]v1.Hash, len(layers))
	for i, l := range layers {
		if out[i], err = l.Digest(); err != nil {
			return nil, fmt.Errorf("layer digest: %w", err)
		}
	}
	return out, nil
}

func parseTag(r oci.Ref) (name.Tag, error) {
	var opts []name.Option
	if r.Insecure {
		opts = append(opts, name.Insecure)
	}
	tag, err := name.NewTag(r.Name, append(opts, name.StrictValidation)...)
	if err != nil {
		return name.Tag{}, fmt.Errorf("parsing %q: %w", r.Name, err)
	}
	return tag, nil
}

func digestOf(h v1.Hash) digest.Digest { return digest.Digest(h.String()) }
