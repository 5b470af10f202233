package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/oci"
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
	// Digest is the digest of what the image's tags hold, or will once
	// pushed: the image manifest, or the index of it and its attestations;
	// the one built, or the one its tags hold when skipped.
	Digest string `json:"digest"`
	// ImageDigest is the image manifest's digest: Digest, or the image's in
	// that index. A forced rebuild of the same image keeps it, while its
	// index (with a new provenance) changes.
	ImageDigest string `json:"imageDigest,omitempty"`
	// MediaType and Size are the manifest's, ConfigDigest the digest of its
	// config and Platform the platform it is for, beside Digest; empty when
	// unknown. They stay out of this JSON: the CLI writes them under
	// buildx's keys (containerimage.*).
	MediaType    string            `json:"-"`
	Size         int64             `json:"-"`
	ConfigDigest string            `json:"-"`
	Platform     *ocispec.Platform `json:"-"`
	// Tags are the spec's push targets for the image, written or not; they
	// stay out of this JSON (the CLI writes them as buildx's image.name
	// for an image built without --push, as bake does).
	Tags []string `json:"-"`
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
	// Features are the settings, defaults filled in, of every registered
	// feature the image has, its own or inherited, by key.
	Features map[string]feature.Settings `json:"features,omitempty"`
}

// Result is what Build did.
type Result struct {
	// Images lists every selected image, in plan order.
	Images []Built
}

// Build builds the images o selects and, with o.Push, publishes them: every
// image by digest first, and the tags only after every image built and
// every push succeeded, and only if the run was not cancelled meanwhile.
// With o.Push, images whose tags already hold them are skipped (unless
// o.Force); a run with nothing to build opens no Daemon. An image that is
// skipped but has a child to build lends the child the image its tags hold.
func (r *Runner) Build(ctx context.Context, o Options) (_ Result, err error) {
	ru, err := r.start(ctx, o, o.Push)
	if err != nil {
		return Result{}, err
	}
	defer func() { err = errors.Join(err, ru.close()) }()
	decisions, err := ru.decide(ctx, o.Push)
	if err != nil {
		return Result{}, err
	}
	built := make([]Built, len(decisions))
	var todo []int // indexes of the decisions to build
	for i, d := range decisions {
		built[i] = describe(d)
		if built[i].MediaType != "" {
			built[i].Platform = &ru.o.Platform // the run's, which its input digest holds
		}
		if d.Action == change.Build {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return Result{Images: built}, nil
	}
	if o.Push {
		if err := ru.checkPush(ctx, decisions, todo); err != nil {
			return Result{}, err
		}
	}
	co, err := ru.o.withCacheDir()
	if err != nil {
		return Result{}, err
	}
	// One display for the builds and the pushes, closed before the result.
	if ru.display, err = solve.StartProgress(ru.o.Progress, ru.o.Log); err != nil {
		return Result{}, fmt.Errorf("starting the %q progress display: %w", ru.o.Progress, err)
	}
	defer func() {
		if derr := ru.display.Close(); derr != nil && err == nil {
			err = fmt.Errorf("showing progress: %w", derr)
		}
	}()
	started := time.Now()
	images, outs, err := ru.buildKept(ctx, decisions, todo, readSolvedLog(co.solvedLogPath()))
	if err != nil {
		return Result{}, err
	}
	var att *attestations
	if o.Push {
		if att, err = ru.newAttestations(decisions, started, ru.buildkitVersion(ctx)); err != nil {
			return Result{}, err
		}
	}
	byNode := make(map[*plan.Node]change.Decision, len(decisions))
	for _, d := range decisions {
		byNode[d.Node] = d
	}
	items := make([]publish.Item, len(todo))
	for k, i := range todo {
		img := outs[k].Image
		digest, err := img.Digest()
		if err != nil {
			return Result{}, fmt.Errorf("digest of image %q: %w", images[i].Node.Name, err)
		}
		built[i].Digest, built[i].ImageDigest = digest.String(), digest.String()
		if err := built[i].describeManifest(img); err != nil {
			return Result{}, fmt.Errorf("image %q: %w", images[i].Node.Name, err)
		}
		for _, c := range images[i].Checks {
			built[i].Checks = append(built[i].Checks, c.Name)
		}
		items[k] = publishItem(decisions[i], byNode, img)
		if !o.Push {
			continue
		}
		if err := att.built(images[i].Node.Name, img); err != nil {
			return Result{}, err
		}
		if items[k].Index, err = att.index(images[i].Node, img, outs[k].Inventory); err != nil {
			return Result{}, fmt.Errorf("image %q: %w", images[i].Node.Name, err)
		}
		if items[k].Index != nil {
			if err := built[i].describeIndex(items[k].Index); err != nil {
				return Result{}, fmt.Errorf("image %q: %w", images[i].Node.Name, err)
			}
		}
	}
	if !o.Push {
		return Result{Images: built}, nil
	}
	pushed, err := ru.publish(ctx, items, ru.display)
	if err != nil {
		return Result{}, err
	}
	for k, i := range todo {
		built[i].Refs, built[i].ByDigest, built[i].Pushed = pushed[k].Refs, pushed[k].ByDigest, true
	}
	return Result{Images: built}, nil
}

// compile compiles the whole plan against its bases (resolving them now
// when a lock file pinned them), a skipped image standing for the image its
// tags hold, unless the builder's solved log says it made that image from
// the same LLB, or a cache import should hold that LLB's results (and the
// image is not in drop, nor refused by the log): then the LLB stays, and
// the children's cache keys with it. It returns the images and the names of the
// skipped images whose LLB was kept.
func (ru *run) compile(ctx context.Context, decisions []change.Decision, log *solvedLog, drop map[string]bool) ([]*wsllb.Image, map[string]bool, error) {
	if err := ru.resolve(ctx); err != nil {
		return nil, nil, err
	}
	existing := map[string]digest.Digest{}
	for _, d := range decisions {
		if d.Action == change.Skip {
			existing[d.Node.Name] = digest.Digest(d.ExistingImage.String())
		}
	}
	kept := map[string]bool{}
	keep := func(img *wsllb.Image) bool {
		name := img.Node.Name
		m, ok := existing[name]
		// With --no-cache the LLB runs again anyway: build on the pushed image.
		// A manifest the log refuses gave other layers from its LLB before.
		if !ok || drop[name] || ru.o.NoCache || log.refused(m) {
			return false
		}
		state, err := img.StateDigest(ctx)
		if err != nil || !(log.has(m, state) || ru.hasCacheImport(name)) {
			return false
		}
		kept[name] = true
		return true
	}
	images, err := wsllb.Compile(ru.plan, ru.bases, wsllb.WithPlatform(ru.o.Platform),
		wsllb.WithPublished(publishedRefs(decisions)), wsllb.WithKeep(keep))
	return images, kept, err
}

// build solves images[i] for every i in todo on the run's Daemon and
// returns their outputs in todo's order. Any image failing fails the run,
// naming every image that failed.
func (ru *run) build(ctx context.Context, images []*wsllb.Image, todo []int) ([]Output, error) {
	d, err := ru.open(ctx)
	if err != nil {
		return nil, err
	}
	if sd, ok := d.(shownDaemon); ok && ru.display != nil {
		sd.ShowOn(ru.display)
	}
	selected := make([]*wsllb.Image, len(todo))
	for k, i := range todo {
		selected[k] = images[i]
	}
	outs, err := d.Build(ctx, selected)
	if err != nil {
		return nil, err
	}
	if len(outs) != len(selected) {
		return nil, fmt.Errorf("the builder returned %d images for %d", len(outs), len(selected))
	}
	var errs []error
	for k, out := range outs {
		switch {
		case out.Err != nil:
			errs = append(errs, fmt.Errorf("building image %q: %w", selected[k].Node.Name, out.Err))
		case out.Image == nil:
			errs = append(errs, fmt.Errorf("building image %q: the builder returned no image", selected[k].Node.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return outs, nil
}

// publish pushes items by digest, showing the pushes on display, and then
// moves their tags, unless a push failed or ctx was cancelled in between:
// then no tag moves.
func (ru *run) publish(ctx context.Context, items []publish.Item, display *solve.Progress) ([]publish.Pushed, error) {
	status := display.Source()
	pushed, err := ru.publisher.Push(ctx, items, publish.WithStatus(status))
	close(status)
	if err != nil {
		return nil, fmt.Errorf("no tag moved: %w", err)
	}
	if len(pushed) != len(items) {
		return nil, fmt.Errorf("no tag moved: the publisher pushed %d images of %d", len(pushed), len(items))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cancelled after pushing by digest, before any tag moved: %w", err)
	}
	tagged, err := ru.publisher.Tag(ctx, pushed)
	if err != nil {
		return nil, err
	}
	if len(tagged) != len(items) {
		return nil, fmt.Errorf("the publisher tagged %d images of %d", len(tagged), len(items))
	}
	return tagged, nil
}

// describe is the metadata of a decision before anything is built.
func describe(d change.Decision) Built {
	n := d.Node
	b := Built{Name: n.Name, Base: n.Base, InputDigest: n.InputDigest.String(), Action: d.Action, Reasons: d.Reasons,
		Changes: d.Changes, Checks: []string{}, Features: n.Features}
	if len(b.Features) == 0 {
		b.Features = nil
	}
	for _, r := range n.Refs {
		b.Tags = append(b.Tags, r.Name)
	}
	if n.Parent != nil {
		b.Parent = n.Parent.Name
	}
	if d.Action == change.Skip {
		b.Digest, b.ImageDigest = d.Existing.String(), d.ExistingImage.String()
		for _, f := range d.Found {
			if f.Exists && f.Digest == d.Existing {
				b.MediaType, b.Size = string(f.MediaType), f.Size
				if f.Config != (v1.Hash{}) {
					b.ConfigDigest = f.Config.String()
				}
				break
			}
		}
		for _, r := range n.Refs {
			b.Refs = append(b.Refs, r.Name)
			b.ByDigest = append(b.ByDigest, r.ByDigest(d.Existing.String()))
		}
	}
	return b
}

// describeManifest fills in b's MediaType, Size, ConfigDigest and Platform
// from img.
func (b *Built) describeManifest(img v1.Image) error {
	mt, err := img.MediaType()
	if err != nil {
		return fmt.Errorf("media type: %w", err)
	}
	if b.Size, err = img.Size(); err != nil {
		return fmt.Errorf("manifest size: %w", err)
	}
	config, err := img.ConfigName()
	if err != nil {
		return fmt.Errorf("config digest: %w", err)
	}
	b.MediaType, b.ConfigDigest = string(mt), config.String()
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if p := cf.Platform(); p != nil {
		b.Platform = &ocispec.Platform{Architecture: p.Architecture, OS: p.OS, OSVersion: p.OSVersion,
			OSFeatures: p.OSFeatures, Variant: p.Variant}
	}
	return nil
}

// describeIndex says that the image's tags hold idx, an index of it and
// its attestations: Digest, MediaType and Size become the index's, as
// buildx writes them for an image with attestations; the config and the
// platform stay the image's.
func (b *Built) describeIndex(idx v1.ImageIndex) error {
	d, err := idx.Digest()
	if err != nil {
		return fmt.Errorf("index digest: %w", err)
	}
	mt, err := idx.MediaType()
	if err != nil {
		return fmt.Errorf("index media type: %w", err)
	}
	if b.Size, err = idx.Size(); err != nil {
		return fmt.Errorf("index size: %w", err)
	}
	b.Digest, b.MediaType = d.String(), string(mt)
	return nil
}

// publishItem is the publish.Item of a built image.
func publishItem(d change.Decision, byNode map[*plan.Node]change.Decision, img v1.Image) publish.Item {
	n := d.Node
	item := publish.Item{Name: n.Name, Image: img, Refs: n.Refs}
	if n.Parent != nil {
		item.Parent = n.Parent.Name
		if pd := byNode[n.Parent]; pd.Action == change.Skip {
			item.ParentPushed = pd.Found
		}
	}
	return item
}

// publishedRefs maps every skipped image to the pushed image its first tag
// holds, by digest, for children built on it.
func publishedRefs(decisions []change.Decision) map[string]string {
	out := map[string]string{}
	for _, d := range decisions {
		if d.Action == change.Skip && len(d.Node.Refs) > 0 {
			// The image itself, not an index of it and its attestations:
			// the child stands on exactly what its provenance names.
			out[d.Node.Name] = d.Node.Refs[0].ByDigest(d.ExistingImage.String())
		}
	}
	return out
}

// checkPush asks the registries, before anything is built, whether the
// run's credentials may push every image of todo to each of its refs, so a
// namespace they do not reach fails in seconds, with no blob sent, rather
// than after the build.
func (ru *run) checkPush(ctx context.Context, decisions []change.Decision, todo []int) error {
	var refs []oci.Ref
	for _, i := range todo {
		refs = append(refs, decisions[i].Node.Refs...)
	}
	if err := ru.publisher.CheckPush(ctx, refs); err != nil {
		return fmt.Errorf("nothing built: %w", err)
	}
	return nil
}
