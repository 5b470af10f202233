// Package llb is wsbuild's compiler: it turns a build plan into BuildKit LLB
// states and OCI image configs. It is pure: no network, no BuildKit client,
// no registry access. Base image metadata is passed in, already resolved, and
// a child image is compiled on top of its parent's state, never pulled back.
package llb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// ContextName is the name of the local source that copy: steps read from;
// the solver must provide the spec's folder under this name.
const ContextName = "context"

// Base is a resolved external base image: the reference to pull (pinned by
// digest), its digest and its OCI config. It is oci.Base, named here too so
// that resolvers and frontends can speak the compiler's input vocabulary.
type Base = oci.Base

// Image is one compiled image.
type Image struct {
	// Node is the planned image this was compiled from.
	Node *plan.Node
	// State is the image's root filesystem as LLB.
	State bk.State
	// Config is the OCI image config to export with State.
	Config ocispec.Image
	// Annotations are the manifest annotations to export the image with.
	Annotations map[string]string
	// Checks are run inside the image after it is built; the image is
	// exported only if every one passes.
	Checks []Check
	// Inventory lists the packages the built image holds, read from its
	// filesystem by wsbuild-probe: a folder holding InventoryFile, solved
	// after the image for its SBOM and never exported with it.
	Inventory bk.State
	// SourceDateEpoch, when not nil, is the time the exporter clamps the
	// timestamps of the image's files and history to (see WithSourceDateEpoch).
	SourceDateEpoch *time.Time
	// BaseConfig is the OCI config, as JSON, of the external base at the root
	// of the image's chain; the exporter leaves the base's layers as they are.
	BaseConfig []byte
	// Compression is how the exporter compresses the layers the image adds
	// (the plan's); layers that exist compressed already stay as they are.
	Compression spec.Compression
	// Layouts are the OCI image layouts on this host that State reads its
	// base from (oci-layout:), folder by store ID: the solver attaches them
	// to the build. Empty for a base in a registry.
	Layouts map[string]string
}

// StateDigest identifies the image's LLB, as the digest of the last op of
// its definition (which covers every op it stands on): two compilations
// with the same StateDigest have the same cache keys on a builder.
func (i *Image) StateDigest(ctx context.Context) (digest.Digest, error) {
	def, err := i.Definition(ctx)
	if err != nil {
		return "", err
	}
	if len(def.Def) == 0 {
		return "", fmt.Errorf("image %q has an empty definition", i.Node.Name)
	}
	return digest.FromBytes(def.Def[len(def.Def)-1]), nil
}

// ConfigJSON marshals the image config.
func (i *Image) ConfigJSON() ([]byte, error) {
	return json.Marshal(i.Config)
}

// Definition marshals the image's LLB for its platform, with any extra
// constraints (such as bk.IgnoreCache).
func (i *Image) Definition(ctx context.Context, extra ...bk.ConstraintsOpt) (*bk.Definition, error) {
	co := append([]bk.ConstraintsOpt{bk.Platform(i.Config.Platform)}, extra...)
	return i.State.Marshal(ctx, co...)
}

type options struct {
	platform  ocispec.Platform
	published map[string]string
	keep      func(*Image) bool
	// compression is the plan's.
	compression spec.Compression
	epoch       *time.Time
	probe       *probeSource
	states      map[string]bk.State
}

// probeSource is where start checks find wsbuild-probe.
type probeSource struct {
	state bk.State
	file  string
}

// Option configures Compile.
type Option func(*options) error

// WithPlatform sets the platform images are built for. Default:
// oci.DefaultPlatform.
func WithPlatform(p ocispec.Platform) Option {
	return func(o *options) error { o.platform = p; return nil }
}

// WithPublished names images that are already built and pushed, keyed by
// image name, each with a reference by digest to the pushed image. Such an
// image is still compiled (its config is needed), but its state becomes
// that pushed image, so its children are built on exactly what its tags
// hold rather than on a rebuild of it. Default: none.
func WithPublished(refs map[string]string) Option {
	return func(o *options) error { o.published = refs; return nil }
}

// WithKeep is asked, for every image named by WithPublished, whether to
// keep its compiled state (on its parent's, kept or pushed) instead of the
// pushed image: say yes when the builder still holds that state's result,
// the very one that was pushed, so that children build on the same cache
// keys as when the image itself was built and every step of theirs that did
// not change is reused. Default: never.
func WithKeep(keep func(img *Image) bool) Option {
	return func(o *options) error { o.keep = keep; return nil }
}

// WithStates has images built elsewhere stand in for their LLB, keyed by
// image name: such an image's state is the given one (a BuildKit named
// context, say), its children are built on it, and its config is still
// compiled. Default: none.
func WithStates(states map[string]bk.State) Option {
	return func(o *options) error { o.states = states; return nil }
}

// WithProbe has start checks take wsbuild-probe from the file at path in
// st, such as the frontend's own image holding /bin/wsbuild-probe. Default:
// ProbeBinary in the local source ProbeName, which the solver provides.
func WithProbe(st bk.State, path string) Option {
	return func(o *options) error {
		if !strings.HasPrefix(path, "/") {
			return fmt.Errorf("llb.WithProbe: %q is not an absolute path", path)
		}
		o.probe = &probeSource{state: st, file: path}
		return nil
	}
}

// Compile turns every node of p into an Image, in the plan's order. bases
// holds the resolved metadata of every external base the plan names. The
// plan's source date epoch, if it has one, is the default of
// WithSourceDateEpoch, so a caller holding a plan and its bases (the CLI's
// pipeline, a BuildKit frontend) needs nothing more to compile it.
func Compile(p *plan.Plan, bases map[string]Base, opts ...Option) ([]*Image, error) {
	o := options{platform: oci.DefaultPlatform(), compression: p.Compression()}
	if t, ok := p.SourceDateEpoch(); ok {
		o.epoch = &t
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	done := map[*plan.Node]*Image{}
	var out []*Image
	for _, n := range p.Nodes {
		img, err := compileNode(n, done[n.Parent], bases, o)
		if err != nil {
			return nil, fmt.Errorf("compiling image %q: %w", n.Name, err)
		}
		if ref, ok := o.published[n.Name]; ok && (o.keep == nil || !o.keep(img)) {
			if err := img.usePublished(ref, o.platform); err != nil {
				return nil, fmt.Errorf("compiling image %q: %w", n.Name, err)
			}
		}
		if st, ok := o.states[n.Name]; ok {
			img.State = st
		}
		done[n] = img
		out = append(out, img)
	}
	return out, nil
}

func compileNode(n *plan.Node, parent *Image, bases map[string]Base, o options) (*Image, error) {
	var st bk.State
	var cfg ocispec.Image
	var baseConfig []byte
	var layouts map[string]string
	if parent != nil {
		st = parent.State
		cfg = cloneConfig(parent.Config)
		baseConfig = parent.BaseConfig
		layouts = parent.Layouts
	} else {
		base, ok := bases[n.Base]
		if !ok {
			return nil, fmt.Errorf("base image %q was not resolved", n.Base)
		}
		var err error
		if st, cfg, err = fromBase(base, o.platform); err != nil {
			return nil, fmt.Errorf("base image %q: %w", n.Base, err)
		}
		baseConfig = base.Config
		if base.Layout != "" {
			layouts = map[string]string{oci.LayoutStoreID(base.Digest): base.Layout}
		}
	}
	b := &builder{node: n, state: st, platform: o.platform, inheritedEnv: cfg.Config.Env, epoch: o.epoch, probe: o.probe}
	b.env()
	b.featureEnv()
	// Steps go from what changes least to what changes most: the features'
	// packages, the user and Python, then the image's own packages.
	b.aptSources()
	b.featureApt()
	b.user()
	if err := b.setup(bases); err != nil {
		return nil, err
	}
	b.featurePip()
	b.ownApt()
	b.ownPip()
	if err := b.featureFiles(); err != nil {
		return nil, err
	}
	b.volumes()
	b.copies()
	b.featureSteps()
	b.finish()
	cfg = imageConfig(n, cfg, b.extraEnv, o.epoch)
	return &Image{Node: n, State: b.state, Config: cfg, Annotations: n.Annotations(), Checks: b.checks(cfg.Config.Cmd), Inventory: b.inventory(), SourceDateEpoch: o.epoch, BaseConfig: baseConfig, Compression: o.compression, Layouts: layouts}, nil
}

// usePublished replaces the image's state with the pushed image at ref,
// carrying the same environment, user and working directory.
func (i *Image) usePublished(ref string, p ocispec.Platform) error {
	cfg, err := i.ConfigJSON()
	if err != nil {
		return err
	}
	st, err := bk.Image(ref, bk.Platform(p)).WithImageConfig(cfg)
	if err != nil {
		return fmt.Errorf("pushed image %q: %w", ref, err)
	}
	i.State = st
	return nil
}

func fromBase(base Base, p ocispec.Platform) (bk.State, ocispec.Image, error) {
	var cfg ocispec.Image
	if err := json.Unmarshal(base.Config, &cfg); err != nil {
		return bk.State{}, cfg, fmt.Errorf("decoding config: %w", err)
	}
	st := bk.Image(base.Ref, bk.Platform(p))
	if base.Layout != "" {
		// The name is for BuildKit's logs; the store ID finds the layout.
		st = bk.OCILayout("wsbuild/oci-layout-base@"+base.Digest.String(),
			bk.OCIStore("", oci.LayoutStoreID(base.Digest)), bk.Platform(p))
	}
	st, err := st.WithImageConfig(base.Config)
	if err != nil {
		return bk.State{}, cfg, fmt.Errorf("applying config: %w", err)
	}
	// Keep only what a child image sensibly inherits from its base.
	out := ocispec.Image{Platform: p}
	out.Config.Env = cfg.Config.Env
	out.Config.Cmd = cfg.Config.Cmd
	out.Config.Entrypoint = cfg.Config.Entrypoint
	return st, out, nil
}
