package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/provenance"
	"github.com/wsbuild/wsbuild/internal/sbom"
)

// defaultPipIndex is where pip installs from when the spec names no index.
const defaultPipIndex = "https://pypi.org/simple"

// attestations are what a run attests about the images it built.
type attestations struct {
	ru *run
	// images are the image manifest digests of the run's family: those
	// built, and those skipped (what their tags hold), by name.
	images map[string]v1.Hash
	// started and finished bound the run's builds.
	started, finished time.Time
	// buildkit is the builder's BuildKit version.
	buildkit string
	// spec is the spec file's digest.
	spec digest.Digest
}

// newAttestations gathers what every image's attestations share.
func (ru *run) newAttestations(decisions []change.Decision, started time.Time, buildkit string) (*attestations, error) {
	data, err := os.ReadFile(ru.o.SpecFile)
	if err != nil {
		return nil, fmt.Errorf("reading the spec for the provenance: %w", err)
	}
	a := &attestations{ru: ru, images: map[string]v1.Hash{}, started: started, finished: time.Now(),
		buildkit: buildkit, spec: digest.FromBytes(data)}
	for _, d := range decisions {
		if d.Action == change.Skip {
			a.images[d.Node.Name] = d.ExistingImage
		}
	}
	return a, nil
}

// built records the image manifest digest of a built image.
func (a *attestations) built(name string, img v1.Image) error {
	d, err := img.Digest()
	if err != nil {
		return err
	}
	a.images[name] = d
	return nil
}

// index returns what the tags of n, built as img, hold: an index of img,
// its SBOM (from inventory, the image's package listing; none when nil)
// and its provenance. nil when the run attests nothing.
func (a *attestations) index(n *plan.Node, img v1.Image, inventory []byte) (v1.ImageIndex, error) {
	var preds []attest.Predicate
	if inventory != nil && !a.ru.o.NoSBOM {
		doc, err := a.sbom(n, inventory)
		if err != nil {
			return nil, err
		}
		preds = append(preds, attest.Predicate{Type: attest.PredicateSPDX, Body: doc})
	}
	if !a.ru.o.NoProvenance {
		prov, err := provenance.Predicate(a.provenance(n))
		if err != nil {
			return nil, err
		}
		preds = append(preds, attest.Predicate{Type: attest.PredicateSLSA1, Body: prov})
	}
	if len(preds) == 0 {
		return nil, nil
	}
	var names []string
	for _, r := range n.Refs {
		names = append(names, r.Name)
	}
	return attest.Attach(img, a.ru.o.imagePlatform(), names, preds)
}

// sbom is n's SPDX document.
func (a *attestations) sbom(n *plan.Node, inventory []byte) (json.RawMessage, error) {
	var inv sbom.Inventory
	if err := json.Unmarshal(inventory, &inv); err != nil {
		return nil, fmt.Errorf("reading the package list of image %q: %w", n.Name, err)
	}
	s := sbom.Subject{Name: n.Name, PipIndex: pipIndexOf(n), Created: a.finished, Tool: "wsbuild-" + a.ru.o.Version}
	if len(n.Refs) > 0 {
		s.Ref = n.Refs[0].Name
	}
	if t, ok := a.ru.plan.SourceDateEpoch(); ok {
		s.Created = t
	}
	base := a.base(n)
	s.Base = &sbom.Component{Ref: base.Ref, Digest: base.Digest.String()}
	if p := a.parent(n); p != nil {
		s.Parent = &sbom.Component{Ref: p.Ref, Digest: p.Digest.String()}
	}
	doc, err := sbom.SPDX(inv, s)
	if err != nil {
		return nil, fmt.Errorf("the SBOM of image %q: %w", n.Name, err)
	}
	return doc, nil
}

// provenance is what the run records about n's build.
func (a *attestations) provenance(n *plan.Node) provenance.Build {
	o := a.ru.o
	b := provenance.Build{
		Image: n.Name, SpecPath: specPathForProvenance(o.SpecFile), SpecDigest: a.spec, Overrides: o.overrides(), Flags: o.provenanceFlags(),
		InputDigest: n.InputDigest, Inputs: n.Inputs, Base: a.base(n), Parent: a.parent(n), Images: a.copiedFrom(n),
		Secrets: secretsOf(n), Wsbuild: o.Version, BuildKit: a.buildkit, Builder: "private",
		Started: a.started, Finished: a.finished,
	}
	if o.daemonAddr() != "" {
		b.Builder = "remote"
	}
	return b
}

// base is the external base of n's chain.
func (a *attestations) base(n *plan.Node) provenance.Dependency {
	return provenance.Dependency{Ref: n.Base, Digest: a.ru.bases[n.Base].Digest}
}

// copiedFrom are the external images files were copied from into n or
// its ancestors, by digest, each once.
func (a *attestations) copiedFrom(n *plan.Node) []provenance.Dependency {
	var out []provenance.Dependency
	seen := map[string]bool{}
	for up := n; up != nil; up = up.Parent {
		for _, f := range up.Contribution.Setup.ImageFiles {
			if !seen[f.Image] {
				seen[f.Image] = true
				out = append(out, provenance.Dependency{Ref: f.Image, Digest: a.ru.bases[f.Image].Digest})
			}
		}
	}
	return out
}

// parent is the family image n was built on, by its first tag and the
// image manifest's digest; nil for none.
func (a *attestations) parent(n *plan.Node) *provenance.Dependency {
	p := n.Parent
	if p == nil {
		return nil
	}
	dep := provenance.Dependency{Ref: p.Name, Digest: digest.Digest(a.images[p.Name].String())}
	if len(p.Refs) > 0 {
		dep.Ref = p.Refs[0].Name
	}
	return &dep
}

// pipIndexOf is the index n's pip packages come from: the nearest
// pip_index: along its chain, else $PIP_INDEX_URL in its environment, else
// PyPI.
func pipIndexOf(n *plan.Node) string {
	for up := n; up != nil; up = up.Parent {
		if up.Spec.PipIndex != nil {
			return up.Spec.PipIndex.URL
		}
	}
	for _, e := range n.Env {
		if e.Key == "PIP_INDEX_URL" && e.Value != "" {
			return e.Value
		}
	}
	return defaultPipIndex
}

// overrides are the run's --set-file and --set entries, in that order
// (the order they apply in).
func (o Options) overrides() []string {
	var out []string
	for _, f := range o.SetFiles {
		out = append(out, "--set-file="+f)
	}
	for _, s := range o.Sets {
		out = append(out, "--set="+s)
	}
	return out
}

// provenanceFlags are the flags of the run that changed what was built,
// or where it went.
func (o Options) provenanceFlags() map[string]string {
	out := map[string]string{"platform": o.imagePlatform().String()}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("registry", o.Registry)
	set("namespace", o.Namespace)
	set("push-from", o.PushFrom)
	if o.SourceDateEpoch != nil {
		set("source-date-epoch", *o.SourceDateEpoch)
	}
	if o.Compression != nil {
		set("compression", o.Compression.Type)
	}
	if o.NoCache {
		out["no-cache"] = "true"
	}
	if o.Force {
		out["force"] = "true"
	}
	if len(o.Images) > 0 {
		out["images"] = strings.Join(o.Images, " ")
	}
	return out
}

// buildkitVersion is the version of the run's BuildKit: the daemon's when
// it says, else the module's wsbuild was built with.
func (ru *run) buildkitVersion(ctx context.Context) string {
	if vd, ok := ru.daemon.(versionedDaemon); ok {
		if v := vd.BuildKitVersion(ctx); v != "" {
			return v
		}
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/moby/buildkit" {
				return m.Version
			}
		}
	}
	return "unknown"
}

// specPathForProvenance is the spec's path relative to the working folder
// when it is inside it, so the provenance does not record where on the
// build host the checkout was; else the path as given.
func specPathForProvenance(spec string) string {
	wd, err := os.Getwd()
	if err != nil {
		return spec
	}
	abs, err := filepath.Abs(spec)
	if err != nil {
		return spec
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return spec
}
