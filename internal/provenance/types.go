package provenance

import "github.com/opencontainers/go-digest"

// The SLSA v1 predicate, as far as wsbuild writes it.
type predicate struct {
	BuildDefinition buildDefinition `json:"buildDefinition"`
	RunDetails      runDetails      `json:"runDetails"`
}

type buildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   external             `json:"externalParameters"`
	InternalParameters   internal             `json:"internalParameters"`
	ResolvedDependencies []resourceDescriptor `json:"resolvedDependencies"`
}

// external are the parameters a user chose: the spec and what overrode it.
type external struct {
	Spec      specParam         `json:"spec"`
	Image     string            `json:"image"`
	Overrides []string          `json:"overrides,omitempty"`
	Flags     map[string]string `json:"flags,omitempty"`
}

type specParam struct {
	Path   string            `json:"path"`
	Digest map[string]string `json:"digest,omitempty"`
}

// internal are what wsbuild worked out from them.
type internal struct {
	InputDigest digest.Digest            `json:"inputDigest"`
	Inputs      map[string]digest.Digest `json:"inputs,omitempty"`
	Secrets     []string                 `json:"secrets,omitempty"`
}

type resourceDescriptor struct {
	Name   string            `json:"name,omitempty"`
	URI    string            `json:"uri,omitempty"`
	Digest map[string]string `json:"digest,omitempty"`
}

type runDetails struct {
	Builder  builder  `json:"builder"`
	Metadata metadata `json:"metadata"`
}

type builder struct {
	ID      string            `json:"id"`
	Version map[string]string `json:"version,omitempty"`
}

type metadata struct {
	StartedOn  string `json:"startedOn,omitempty"`
	FinishedOn string `json:"finishedOn,omitempty"`
}
