// Package attest attaches in-toto attestations (an SBOM, provenance) to an
// image the way BuildKit and buildx do, and reads them back: the tag holds
// an OCI image index listing the image, for its platform, and an
// attestation manifest (platform unknown/unknown, annotated
// vnd.docker.reference.type: attestation-manifest and
// vnd.docker.reference.digest: the image's digest) whose layers are in-toto
// statements about the image, one per predicate. `docker buildx imagetools
// inspect --format '{{json .SBOM}}'` and registries that show attestations
// read it as they read BuildKit's own.
package attest

import (
	"encoding/json"
)

// Media types and annotations of attestation manifests, as BuildKit writes
// them (exporter/containerimage and util/attestation).
const (
	// MediaTypeInToto is the media type of a layer holding a statement.
	MediaTypeInToto = "application/vnd.in-toto+json"
	// AnnotationPredicateType names, on such a layer, its predicate type.
	AnnotationPredicateType = "in-toto.io/predicate-type"
	// AnnotationReferenceType says, on an index's descriptor of an
	// attestation manifest, what it is (ReferenceTypeAttestation).
	AnnotationReferenceType = "vnd.docker.reference.type"
	// AnnotationReferenceDigest names, beside it, the image it is about.
	AnnotationReferenceDigest = "vnd.docker.reference.digest"
	// ReferenceTypeAttestation is AnnotationReferenceType's value.
	ReferenceTypeAttestation = "attestation-manifest"
	// StatementType is the in-toto statement version BuildKit writes.
	StatementType = "https://in-toto.io/Statement/v0.1"
	// PredicateSPDX is the predicate type of an SPDX SBOM.
	PredicateSPDX = "https://spdx.dev/Document"
	// PredicateSLSA1 is the predicate type of SLSA provenance v1.
	PredicateSLSA1 = "https://slsa.dev/provenance/v1"
)

// Predicate is one thing attested about an image.
type Predicate struct {
	// Type is the predicate type, such as PredicateSPDX.
	Type string
	// Body is the predicate, JSON.
	Body json.RawMessage
}

// Statement is an in-toto statement about one image.
type Statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []Subject       `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

// Subject is what a statement is about: a name and its digests.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}
