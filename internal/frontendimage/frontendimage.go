// Package frontendimage assembles wsbuild's BuildKit frontend image the way ko
// makes images: no Dockerfile and no base image, just one layer on
// go-containerregistry's empty.Image that holds two static binaries,
// /bin/wsbuild-frontend (the entrypoint, BuildKit's gateway client) and
// /bin/wsbuild-probe (the start checks' probe, which the frontend reaches by
// mounting its own image into check steps).
//
// Assemble is pure: it takes the binaries' bytes and options and returns the
// image. Every byte of it follows from its inputs (owners 0:0, mode 0755, one
// fixed time for files, history and config), so the same binaries give the
// same digest. Push, WriteLayout and WriteTarball store the result.
package frontendimage

import (
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Paths of the binaries inside the image. The frontend mounts its own image
// into start checks and runs the probe at ProbePath: keep it.
const (
	FrontendPath = "/bin/wsbuild-frontend"
	ProbePath    = "/bin/wsbuild-probe"
)

// Labels BuildKit's gateway reads from a frontend image's config (see
// frontend/gateway/gateway.go in BuildKit), and the caps this frontend
// declares: the subset of what BuildKit's own dockerfile frontend image
// declares that wsbuild implements (inputs, subrequests, named contexts; not
// gitquerystring or contexts.zstd).
const (
	LabelNetworkNone = "moby.buildkit.frontend.network.none"
	LabelCaps        = "moby.buildkit.frontend.caps"
	Caps             = "moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
)

// OCI annotation keys used as config labels.
const (
	LabelTitle   = "org.opencontainers.image.title"
	LabelSource  = "org.opencontainers.image.source"
	LabelVersion = "org.opencontainers.image.version"
)

// Binaries are the contents of the two executables the image holds. Both
// must be statically linked ELF files for the image's platform
// (CGO_ENABLED=0 builds).
type Binaries struct {
	Frontend []byte // ./cmd/wsbuild-frontend, at FrontendPath
	Probe    []byte // ./cmd/wsbuild-probe, at ProbePath
}

// Assemble returns the frontend image: an OCI image with one layer holding
// b's two files and a config whose entrypoint is FrontendPath, carrying the
// BuildKit frontend labels and the OCI title, source and version labels.
func Assemble(b Binaries, opts ...Option) (v1.Image, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	files := []file{{FrontendPath, b.Frontend}, {ProbePath, b.Probe}}
	for _, f := range files {
		if err := checkStatic(f.data, o.platform); err != nil {
			return nil, fmt.Errorf("checking %s for the frontend image: %w", f.path, err)
		}
	}
	layer, err := newLayer(files, o.created)
	if err != nil {
		return nil, err
	}
	cfg := &v1.ConfigFile{
		Created:      v1.Time{Time: o.created},
		Architecture: o.platform.Architecture,
		OS:           o.platform.OS,
		Variant:      o.platform.Variant,
		Config: v1.Config{
			Entrypoint: []string{FrontendPath},
			Labels:     o.labels(),
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, fmt.Errorf("setting the frontend image's config: %w", err)
	}
	img, err = mutate.Append(img, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: o.created},
			CreatedBy: "wsbuild frontend-image: " + FrontendPath + " " + ProbePath,
			Comment:   "assembled with go-containerregistry, no Dockerfile",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("adding the binaries' layer: %w", err)
	}
	return img, nil
}

// errEmpty is returned for a binary with no bytes.
var errEmpty = errors.New("empty file")
