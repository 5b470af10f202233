package pipeline

import (
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/publish"
	"github.com/wsbuild/wsbuild/internal/solve"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// Resolver looks up external base images. (*solve.Solver).ResolveBases is
// one, through buildkitd so its registry mirrors apply.
type Resolver interface {
	// ResolveBases resolves every ref for platform, keyed by ref; each comes
	// back pinned by digest with its config.
	ResolveBases(ctx context.Context, refs []string, platform ocispec.Platform) (map[string]wsllb.Base, error)
}

// Output is what a Builder made of one image.
type Output struct {
	// Image is the built image; nil when Err is set.
	Image v1.Image
	// Inventory lists the packages the image holds, as JSON (see package
	// sbom), for its SBOM; nil when the run makes none.
	Inventory []byte
	// Err says why the image failed (a step, or its failed checks); the
	// Runner names the image.
	Err error
}

// Builder solves compiled images, with their checks, and hands back what
// it built.
type Builder interface {
	// Build solves every image and returns one Output per image, in order.
	// One image failing does not stop the others. The error is for what
	// fails the whole run.
	Build(ctx context.Context, images []*wsllb.Image) ([]Output, error)
}

// Daemon is an open BuildKit session: it resolves bases and builds images,
// and Close ends it (stopping a private buildkitd).
type Daemon interface {
	Resolver
	Builder
	// Close ends the session.
	Close() error
}

// shownDaemon is a Daemon that shows its builds on the run's progress
// display, where the pushes show too. *buildkitdDaemon is one.
type shownDaemon interface {
	ShowOn(p *solve.Progress)
}

// versionedDaemon is a Daemon that says which BuildKit version it runs,
// for the provenance. *buildkitdDaemon is one.
type versionedDaemon interface {
	BuildKitVersion(ctx context.Context) string
}

// Opener opens a Daemon for a run. The Runner calls it only when the run
// needs one, and at most once per run.
type Opener func(ctx context.Context, o Options) (Daemon, error)

// Publisher talks to the registries: it looks up what tags hold, pushes
// images by digest and then, as a separate step, moves the tags.
// *publish.Publisher is one.
type Publisher interface {
	// Lookup fetches what every ref holds now, in order; where a ref
	// holds an index, the image in it for platform.
	Lookup(ctx context.Context, refs []oci.Ref, platform v1.Platform) ([]publish.Found, error)
	// Push pushes every item by digest, parents first, and writes no tag;
	// it stops at the first failure. publish.WithStatus shows its progress.
	Push(ctx context.Context, items []publish.Item, opts ...publish.PushOption) ([]publish.Pushed, error)
	// Tag points every tag of the pushed images at them.
	Tag(ctx context.Context, pushed []publish.Pushed) ([]publish.Pushed, error)
	// CheckPush asks each repository of refs whether the run's credentials
	// may push to it, sending no blob.
	CheckPush(ctx context.Context, refs []oci.Ref) error
	// Source returns the image with manifest digest dgst in the repository
	// of ref, to push elsewhere, and the index of it and its attestations
	// when dgst is one (else nil); its blobs mount from there when they can.
	Source(ctx context.Context, ref oci.Ref, dgst v1.Hash) (v1.Image, v1.ImageIndex, error)
	// Attested reads the image ref holds for platform, and the statements
	// attested about it.
	Attested(ctx context.Context, ref string, insecure bool, platform v1.Platform) (publish.Attested, error)
}

var _ Publisher = (*publish.Publisher)(nil)
