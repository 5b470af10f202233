// Package oci is wsbuild's vocabulary for images in registries, shared by the
// planner, the compiler, the lock file, the resolvers and the publisher: the
// references images are pushed to, the resolved base images they are built
// on, the annotations and labels wsbuild writes on them, and the platform
// images are built for by default. It is a leaf: it imports no other package
// of wsbuild, so every step can use it without depending on another step.
package oci

import (
	"fmt"
	"runtime"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Ref is a tag an image is pushed to.
type Ref struct {
	// Name is registry/namespace/repository:tag.
	Name string
	// Repository is Name without its tag: registry/namespace/repository.
	Repository string
	// Insecure allows plain HTTP to the registry.
	Insecure bool
}

// ByDigest is the reference to the image with digest d in r's repository,
// repository@digest.
func (r Ref) ByDigest(d string) string { return r.Repository + "@" + d }

// Base is an external base image resolved to a digest: what the compiler
// builds on, what resolvers return and what the lock file pins.
type Base struct {
	// Ref is the reference to pull, pinned by digest when it was resolved.
	Ref string
	// Digest is the manifest digest Ref resolved to.
	Digest digest.Digest
	// Config is the image's OCI config as JSON; nil when only the digest is
	// known (as in the lock file).
	Config []byte
	// Layout is the folder of the OCI image layout on this host that holds
	// the image, for a base that is a file (oci-layout:); "" for an image
	// in a registry. It is where this run reads it, not part of any digest.
	Layout string `json:"-"`
}

// LayoutStoreID is the name a build gives the OCI layout holding the base
// with manifest digest d: the compiler names it in the LLB, and the solver
// attaches the layout's folder under it.
func LayoutStoreID(d digest.Digest) string { return "wsbuild-base-" + d.Encoded()[:16] }

// Manifest annotations wsbuild writes on every image it builds, so that a
// later run can tell from the registry alone whether the image is up to date
// and, when it is not, which input changed.
const (
	// AnnotationInputDigest holds the image's input digest.
	AnnotationInputDigest = "io.wsbuild.input-digest"
	// AnnotationInputs holds the digest of each named input as a JSON object.
	AnnotationInputs = "io.wsbuild.inputs"
	// AnnotationInputValues holds the canonical JSON of each named input
	// (the bytes AnnotationInputs has the digests of), so that a later run
	// can say how an input changed; see plan.InputValues for what it leaves
	// out.
	AnnotationInputValues = "io.wsbuild.input-values"
)

// Labels wsbuild sets on every image's config besides the
// org.opencontainers.image ones.
const (
	// LabelInputDigest holds the image's input digest, as the annotation does.
	LabelInputDigest = AnnotationInputDigest
	// LabelParent names the family image this one was built on.
	LabelParent = "io.wsbuild.parent"
)

// DefaultPlatform is the platform images are built for when no one says
// otherwise: linux on the architecture wsbuild runs on.
func DefaultPlatform() ocispec.Platform {
	return ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
}

// BaseError is a failure to resolve the external image Ref; resolvers
// return it so a caller can say which spec line named the image.
type BaseError struct {
	// Ref is the reference that was looked up.
	Ref string
	// Err says what went wrong.
	Err error
}

// Error reads "resolving base image REF: ERR".
func (e *BaseError) Error() string { return fmt.Sprintf("resolving base image %q: %v", e.Ref, e.Err) }

// Unwrap returns Err.
func (e *BaseError) Unwrap() error { return e.Err }
