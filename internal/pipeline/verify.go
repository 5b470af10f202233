package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/provenance"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// Verified is an image whose attestations Verify accepted.
type Verified struct {
	// Ref is the reference read; Digest what it holds; Image the image
	// manifest's digest (the subject of its attestations).
	Ref           string
	Digest, Image v1.Hash
	// Name is the spec's image it is, InputDigest the digest the spec at
	// hand gives it, and the provenance too.
	Name        string
	InputDigest digest.Digest
	// Packages is how many packages its SBOM lists.
	Packages int
	// Provenance is what its provenance says.
	Provenance provenance.Build
}

// VerifyError is an image Verify refused, and every reason why.
type VerifyError struct {
	Ref      string
	Problems []string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("%s does not verify:\n  - %s", e.Ref, strings.Join(e.Problems, "\n  - "))
}

// Verify reads the image at ref (a tag or a digest reference) for the run's
// platform, with its attestations, and checks them against the spec o
// names: an SBOM and a provenance about that very image (their subject is
// its manifest's digest), and a provenance naming an image of the spec
// whose input digest, as planned from the spec at hand (bases from the
// lock file, else resolved now), is the one the provenance and the image's
// own annotation carry. Any difference is a *VerifyError naming it, and
// for a changed input digest the named inputs that changed.
func (r *Runner) Verify(ctx context.Context, o Options, ref string) (_ Verified, err error) {
	ru, err := r.start(ctx, o, false)
	if err != nil {
		return Verified{}, err
	}
	defer func() { err = errors.Join(err, ru.close()) }()
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return Verified{}, &InputError{fmt.Errorf("%q is not an image reference: %w", ref, err)}
	}
	host := parsed.Context().RegistryStr()
	insecure := spec.PlainHTTPSafe(host) || slices.Contains(ru.o.AllowInsecure, host)
	a, err := ru.publisher.Attested(ctx, ref, insecure, ru.o.imagePlatform())
	if err != nil {
		return Verified{}, err
	}
	v := Verified{Ref: ref, Digest: a.Digest, Image: a.Image}
	if a.Digest == a.Image {
		return v, &VerifyError{Ref: ref, Problems: []string{"it holds an image manifest, not an index of the image and its attestations: " +
			"it was pushed without them (--sbom=false --provenance=false), or this is the image's own digest; give its tag, or the index's digest (--metadata-file's digest)"}}
	}
	var problems []string
	sbomSt := attest.Of(a.Statements, attest.PredicateSPDX)
	switch {
	case sbomSt == nil:
		problems = append(problems, "it has no SBOM attestation ("+attest.PredicateSPDX+")")
	case !sbomSt.About(a.Image):
		problems = append(problems, fmt.Sprintf("its SBOM is about %s, not about the image %s", subjectsOf(sbomSt), a.Image))
	default:
		v.Packages = countPackages(sbomSt.Predicate)
	}
	provSt := attest.Of(a.Statements, attest.PredicateSLSA1)
	if provSt == nil {
		problems = append(problems, "it has no provenance attestation ("+attest.PredicateSLSA1+")")
		return v, &VerifyError{Ref: ref, Problems: problems}
	}
	if !provSt.About(a.Image) {
		problems = append(problems, fmt.Sprintf("its provenance is about %s, not about the image %s", subjectsOf(provSt), a.Image))
	}
	b, err := provenance.Parse(provSt.Predicate)
	if err != nil {
		problems = append(problems, err.Error())
		return v, &VerifyError{Ref: ref, Problems: problems}
	}
	v.Provenance, v.Name = b, b.Image
	problems = append(problems, againstPlan(ru.plan, b, a.Annotations, &v)...)
	if len(problems) > 0 {
		return v, &VerifyError{Ref: ref, Problems: problems}
	}
	return v, nil
}

// againstPlan compares the provenance b and the image's annotations with
// the image b names in p.
func againstPlan(p *plan.Plan, b provenance.Build, annotations map[string]string, v *Verified) []string {
	var n *plan.Node
	for _, c := range p.Nodes {
		if c.Name == b.Image {
			n = c
		}
	}
	if n == nil {
		return []string{fmt.Sprintf("its provenance names image %q, which %s does not declare", b.Image, p.Family.File)}
	}
	v.InputDigest = n.InputDigest
	var problems []string
	if b.InputDigest != n.InputDigest {
		problems = append(problems, fmt.Sprintf("its provenance gives image %q input digest %s, but %s gives it %s now; inputs that differ: %s",
			n.Name, b.InputDigest, p.Family.File, n.InputDigest, strings.Join(changedInputs(b.Inputs, n.Inputs), ", ")))
	}
	if got := digest.Digest(annotations[oci.AnnotationInputDigest]); got != b.InputDigest {
		problems = append(problems, fmt.Sprintf("the image's own %s annotation is %q, not the provenance's %s", oci.AnnotationInputDigest, got, b.InputDigest))
	}
	return problems
}

// changedInputs names the inputs whose digests differ between a and b.
func changedInputs(a, b map[string]digest.Digest) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if b[k] != a[k] {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return []string{"(none named: the provenance lists no inputs)"}
	}
	return out
}

func subjectsOf(st *attest.Statement) string {
	var out []string
	for _, s := range st.Subject {
		out = append(out, s.Name+"@sha256:"+s.Digest["sha256"])
	}
	return strings.Join(out, ", ")
}

// countPackages counts an SPDX document's packages.
func countPackages(doc json.RawMessage) int {
	var d struct {
		Packages []json.RawMessage `json:"packages"`
	}
	if json.Unmarshal(doc, &d) != nil {
		return 0
	}
	return len(d.Packages)
}
