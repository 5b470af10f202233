package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// metadataImagesKey is the key of wsbuild's own list of images in the
// --metadata-file; every other top-level key is an image's name.
const metadataImagesKey = "images"

// bakeResult is what buildx bake writes to its --metadata-file for one
// target, with the exporter response keys of BuildKit's image exporter
// (github.com/moby/buildkit/exporter/containerimage/exptypes): wsbuild
// writes one per image, under its bake target name (bakeName, as in
// `wsbuild plan -o bake`), so that scripts written for bake read wsbuild's
// file unchanged.
type bakeResult struct {
	// Digest is the digest of what the tags hold (exptypes.ExporterImageDigestKey):
	// the image manifest, or the index of it and its attestations, as buildx writes it.
	Digest string `json:"containerimage.digest"`
	// ConfigDigest is the config's digest (ExporterImageConfigDigestKey).
	ConfigDigest string `json:"containerimage.config.digest,omitempty"`
	// Descriptor is that manifest's or index's descriptor (ExporterImageDescriptorKey),
	// which buildx decodes from base64 into a JSON object: media type,
	// digest, size and platform.
	Descriptor *ocispec.Descriptor `json:"containerimage.descriptor,omitempty"`
	// Name is the refs that hold the image, comma-separated as BuildKit's
	// exporter takes and returns them (ExporterImageNameKey); for an image
	// built but not pushed, the tags it would have been pushed to, as bake
	// writes them.
	Name string `json:"image.name,omitempty"`
}

// newBakeResult is b under buildx bake's keys.
func newBakeResult(b pipeline.Built) bakeResult {
	names := b.Refs
	if len(names) == 0 {
		names = b.Tags
	}
	t := bakeResult{Digest: b.Digest, ConfigDigest: b.ConfigDigest, Name: strings.Join(names, ",")}
	if b.MediaType != "" {
		t.Descriptor = &ocispec.Descriptor{MediaType: b.MediaType, Digest: digest.Digest(b.Digest), Size: b.Size, Platform: b.Platform}
		if b.MediaType == ocispec.MediaTypeImageIndex {
			t.Descriptor.Platform = nil // an index of the image and its attestations, as buildx writes it
		}
	}
	return t
}

// metadata is what --metadata-file holds: wsbuild's list of images under
// "images", and each image under its bake target name with buildx bake's
// keys.
func metadata(built []pipeline.Built) map[string]any {
	out := map[string]any{metadataImagesKey: built}
	for _, b := range built {
		out[bakeName(b.Name)] = newBakeResult(b)
	}
	return out
}

// writeMetadata writes the metadata of built to the file at path.
func writeMetadata(path string, built []pipeline.Built) error {
	b, err := json.MarshalIndent(metadata(built), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing metadata file %q: %w", path, err)
	}
	return nil
}

// vetMetadataNames fails, naming where the spec declares them, for an image
// whose bake target name is "images", the key of wsbuild's own list in the
// --metadata-file, and for two images with the same bake target name.
func vetMetadataNames(p *plan.Plan) error {
	byKey := map[string]string{}
	for _, n := range p.Nodes {
		key, field := bakeName(n.Name), "images."+n.Spec.Repository
		at := p.Family.At(field)
		if key == metadataImagesKey {
			return fmt.Errorf("%s: %s: --metadata-file writes each image under its name, as buildx bake does, "+
				"and %q is the key of wsbuild's list of images; rename the image or leave out --metadata-file", at, field, key)
		}
		if other, ok := byKey[key]; ok {
			return fmt.Errorf("%s: %s: images %q and %q would both be written under %q in --metadata-file; rename one",
				at, field, other, n.Name, key)
		}
		byKey[key] = n.Name
	}
	return nil
}
