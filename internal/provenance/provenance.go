// Package provenance writes and reads the SLSA provenance (v1 predicate,
// https://slsa.dev/provenance/v1) wsbuild attests about every image it
// pushes: the spec it was built from (path and digest), the overrides and
// flags that mattered, the image's input digest and its named inputs, its
// base and parent images by digest, the ids (never the values) of the
// secrets it used, wsbuild's and BuildKit's versions, the kind of builder,
// and when the build started and ended.
package provenance

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"
)

// BuildType is the buildDefinition.buildType of wsbuild's provenance: its
// externalParameters and internalParameters are those of Build.
const BuildType = "https://github.com/wsbuild/wsbuild/provenance/v1"

// BuilderID is the runDetails.builder.id prefix; the builder's kind
// ("private" or "remote") follows it.
const BuilderID = "https://github.com/wsbuild/wsbuild/builder/"

// Build is what wsbuild records about one image's build.
type Build struct {
	// Image is the image's name in the spec.
	Image string
	// SpecPath is the spec's path as given; SpecDigest its content's digest.
	SpecPath   string
	SpecDigest digest.Digest
	// Overrides are the --set and --set-file entries, in the order given.
	Overrides []string
	// Flags are the flags that changed what was built or where it went
	// (platform, compression, registry, namespace, no-cache, force...).
	Flags map[string]string
	// InputDigest is the image's input digest; Inputs its named inputs.
	InputDigest digest.Digest
	Inputs      map[string]digest.Digest
	// Base is the external base image, Parent the family image it was
	// built on (nil for none).
	Base   Dependency
	Parent *Dependency
	// Images are the other images files were copied from into the image
	// or its ancestors (uv's, say), by digest.
	Images []Dependency
	// Secrets are the ids of the build secrets the image's steps mounted.
	Secrets []string
	// Wsbuild is wsbuild's version; BuildKit the daemon's (or the module's
	// wsbuild was built with, when the daemon's is unknown).
	Wsbuild, BuildKit string
	// Builder is "private" (a buildkitd wsbuild started) or "remote".
	Builder string
	// Started and Finished bound the build.
	Started, Finished time.Time
}

// Dependency is an image the build read, by reference and digest.
type Dependency struct {
	Ref    string
	Digest digest.Digest
}

// Predicate encodes b as an SLSA v1 provenance predicate.
func Predicate(b Build) (json.RawMessage, error) {
	deps := []resourceDescriptor{b.Base.resource("base")}
	if b.Parent != nil {
		deps = append(deps, b.Parent.resource("parent"))
	}
	for _, d := range b.Images {
		deps = append(deps, d.resource("image"))
	}
	p := predicate{
		BuildDefinition: buildDefinition{
			BuildType: BuildType,
			ExternalParameters: external{
				Spec:      specParam{Path: b.SpecPath, Digest: digestSet(b.SpecDigest)},
				Image:     b.Image,
				Overrides: b.Overrides,
				Flags:     b.Flags,
			},
			InternalParameters:   internal{InputDigest: b.InputDigest, Inputs: b.Inputs, Secrets: b.Secrets},
			ResolvedDependencies: deps,
		},
		RunDetails: runDetails{
			Builder: builder{ID: BuilderID + b.Builder, Version: map[string]string{"wsbuild": b.Wsbuild, "buildkit": b.BuildKit}},
			Metadata: metadata{StartedOn: b.Started.UTC().Format(time.RFC3339),
				FinishedOn: b.Finished.UTC().Format(time.RFC3339)},
		},
	}
	out, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding provenance: %w", err)
	}
	return out, nil
}

// Parse reads back what Predicate wrote: a predicate of another build type
// is an error.
func Parse(raw json.RawMessage) (Build, error) {
	var p predicate
	if err := json.Unmarshal(raw, &p); err != nil {
		return Build{}, fmt.Errorf("reading provenance: %w", err)
	}
	if p.BuildDefinition.BuildType != BuildType {
		return Build{}, fmt.Errorf("provenance of build type %q, not wsbuild's", p.BuildDefinition.BuildType)
	}
	ext, in := p.BuildDefinition.ExternalParameters, p.BuildDefinition.InternalParameters
	b := Build{Image: ext.Image, SpecPath: ext.Spec.Path, SpecDigest: fromSet(ext.Spec.Digest),
		Overrides: ext.Overrides, Flags: ext.Flags, InputDigest: in.InputDigest, Inputs: in.Inputs,
		Secrets: in.Secrets, Wsbuild: p.RunDetails.Builder.Version["wsbuild"],
		BuildKit: p.RunDetails.Builder.Version["buildkit"]}
	b.Builder = trimPrefix(p.RunDetails.Builder.ID, BuilderID)
	b.Started, _ = time.Parse(time.RFC3339, p.RunDetails.Metadata.StartedOn)
	b.Finished, _ = time.Parse(time.RFC3339, p.RunDetails.Metadata.FinishedOn)
	for _, d := range p.BuildDefinition.ResolvedDependencies {
		dep := Dependency{Ref: d.URI, Digest: fromSet(d.Digest)}
		switch d.Name {
		case "base":
			b.Base = dep
		case "parent":
			b.Parent = &dep
		case "image":
			b.Images = append(b.Images, dep)
		}
	}
	return b, nil
}

func (d Dependency) resource(name string) resourceDescriptor {
	return resourceDescriptor{Name: name, URI: d.Ref, Digest: digestSet(d.Digest)}
}

func digestSet(d digest.Digest) map[string]string {
	if d == "" {
		return nil
	}
	return map[string]string{d.Algorithm().String(): d.Encoded()}
}

func fromSet(m map[string]string) digest.Digest {
	if v, ok := m["sha256"]; ok {
		return digest.NewDigestFromEncoded(digest.SHA256, v)
	}
	return ""
}

func trimPrefix(s, prefix string) string {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):]
	}
	return s
}
