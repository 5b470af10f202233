package frontend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/frontendimage"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/solve"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/llb"
)

// Language names the spec's language in BuildKit's source maps.
const Language = "YAML"

// Build builds the target image of the spec BuildKit hands the frontend
// (the "dockerfile" input, its name in the filename option), answering
// subrequests (targets, outline, check) instead when one is asked.
func Build(ctx context.Context, c client.Client) (*client.Result, error) {
	bc, err := dockerui.NewClient(c)
	if err != nil {
		return nil, err
	}
	src, err := bc.ReadEntrypoint(ctx, Language)
	if err != nil {
		return nil, err
	}
	o, err := readBuildArgs(bc.BuildArgs)
	if err != nil {
		return nil, err
	}
	ctxFS, err := contextFS(ctx, bc, c)
	if err != nil {
		return nil, err
	}
	fam, parseErr := spec.Parse(src.Filename, src.Data, spec.WithOverrideList(o.sets), spec.WithFS(ctxFS))
	if res, ok, err := bc.HandleSubrequest(ctx, handlers(src, fam, parseErr, bc.Target)); ok || err != nil {
		return res, err
	}
	if parseErr != nil {
		return nil, located(parseErr, src)
	}
	target, err := pickTarget(fam, bc.Target)
	if err != nil {
		return nil, err
	}
	b := &build{c: c, bc: bc, src: src, fam: fam, ctxFS: ctxFS, o: o, target: target, annotations: map[int]platformAnnotations{}}
	rb, err := bc.Build(ctx, b.platform)
	if err != nil {
		return nil, err
	}
	for _, pa := range b.annotations {
		var p *ocispec.Platform
		if bc.MultiPlatformRequested {
			p = &pa.platform
		}
		for k, v := range pa.values {
			rb.AddMeta(exptypes.AnnotationManifestKey(p, k), []byte(v))
		}
	}
	return rb.Finalize()
}

// build is one frontend build of a target, for each platform asked for.
type build struct {
	c      client.Client
	bc     *dockerui.Client
	src    *dockerui.Source
	fam    *spec.Family
	ctxFS  *refFS
	o      options
	target string

	mu          sync.Mutex
	annotations map[int]platformAnnotations
}

// platformAnnotations are the manifest annotations of one platform's image.
type platformAnnotations struct {
	platform ocispec.Platform
	values   map[string]string
}

// platform builds the target for one platform: plan, resolve the bases,
// compile, solve every image of the chain with its checks (but those a
// named context stands in for), and hand back the target's config.
func (b *build) platform(ctx context.Context, tp *ocispec.Platform, idx int) (*dockerui.BuildResult, error) {
	p := oci.DefaultPlatform()
	if tp != nil {
		p = *tp
	}
	pl, err := b.plan(p)
	if err != nil {
		return nil, located(err, b.src)
	}
	bases, err := b.resolve(ctx, pl, p)
	if err != nil {
		return nil, err
	}
	states, err := b.namedContexts(ctx, pl, p)
	if err != nil {
		return nil, err
	}
	opts := []llb.Option{llb.WithPlatform(p), llb.WithStates(states)}
	if self := b.c.BuildOpts().Opts["source"]; self != "" {
		opts = append(opts, llb.WithProbe(bk.Image(self, bk.Platform(p)), frontendimage.ProbePath))
	}
	images, err := llb.Compile(pl, bases, opts...)
	if err != nil {
		return nil, err
	}
	var extra []bk.ConstraintsOpt
	if b.bc.IsNoCache(b.target) {
		extra = append(extra, bk.IgnoreCache)
	}
	var ref client.Reference
	for _, img := range images {
		if _, ok := states[img.Node.Name]; ok {
			continue
		}
		if ref, err = solve.SolveChecked(ctx, b.c, img, extra...); err != nil {
			return nil, err
		}
	}
	last := images[len(images)-1]
	if ref == nil {
		return nil, fmt.Errorf("target %q stands in a named context: there is nothing to build", b.target)
	}
	b.mu.Lock()
	b.annotations[idx] = platformAnnotations{platform: p, values: last.Annotations}
	b.mu.Unlock()
	return b.result(ref, last)
}

// plan plans the target and its ancestors for platform p.
func (b *build) plan(p ocispec.Platform) (*plan.Plan, error) {
	opts := []plan.Option{plan.WithSelection(b.target), plan.WithContext(b.ctxFS), plan.WithPlatform(platforms.Format(p))}
	if b.o.epoch != nil {
		opts = append(opts, plan.WithSourceDateEpoch(*b.o.epoch))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return plan.New(b.fam, opts...)
}

// resolve pins the plan's external images through the gateway and folds
// their digests into the input digests; one that does not resolve is
// reported at the spec line that names it.
func (b *build) resolve(ctx context.Context, pl *plan.Plan, p ocispec.Platform) (map[string]llb.Base, error) {
	bases, err := solve.ResolveInGateway(ctx, b.c, pl.Bases(), p)
	var be *oci.BaseError
	if errors.As(err, &be) {
		if where := pl.BaseSource(be.Ref); where != "" {
			return nil, located(fmt.Errorf("%s: %w", where, err), b.src)
		}
	}
	if err != nil {
		return nil, err
	}
	digests := map[string]digest.Digest{}
	for ref, base := range bases {
		digests[ref] = base.Digest
	}
	return bases, pl.SetBaseDigests(digests)
}

// namedContexts returns the states of the target's ancestors that a named
// context (buildx --build-context NAME=...) stands in for.
func (b *build) namedContexts(ctx context.Context, pl *plan.Plan, p ocispec.Platform) (map[string]bk.State, error) {
	states := map[string]bk.State{}
	for _, n := range pl.Nodes {
		if n.Name == b.target {
			continue
		}
		nc, err := b.bc.NamedContext(n.Name, dockerui.ContextOpt{Platform: &p})
		if err != nil {
			return nil, err
		}
		if nc == nil {
			continue
		}
		st, _, err := nc.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("named context %q: %w", n.Name, err)
		}
		if st != nil {
			states[n.Name] = *st
		}
	}
	return states, nil
}

// result is the target's reference with its config (labels from the
// build options added), the base's config and the epoch.
func (b *build) result(ref client.Reference, img *llb.Image) (*dockerui.BuildResult, error) {
	cfg := img.Config
	if len(b.bc.Labels) > 0 {
		labels := maps.Clone(cfg.Config.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		maps.Copy(labels, b.bc.Labels)
		cfg.Config.Labels = labels
	}
	out := &dockerui.BuildResult{
		Reference: ref,
		Image:     &dockerspec.DockerOCIImage{Image: cfg, Config: dockerspec.DockerOCIImageConfig{ImageConfig: cfg.Config}},
		Epoch:     img.SourceDateEpoch,
	}
	if img.SourceDateEpoch != nil && len(img.BaseConfig) > 0 {
		var base dockerspec.DockerOCIImage
		if err := json.Unmarshal(img.BaseConfig, &base); err != nil {
			return nil, fmt.Errorf("base config of %q: %w", img.Node.Name, err)
		}
		out.BaseImage = &base
	}
	return out, nil
}

// contextFS solves the main build context and reads it through the
// gateway.
func contextFS(ctx context.Context, bc *dockerui.Client, c client.Client) (*refFS, error) {
	st, err := bc.MainContext(ctx)
	if err != nil {
		return nil, err
	}
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("reading the build context: %w", err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	return &refFS{ctx: ctx, ref: ref}, nil
}
