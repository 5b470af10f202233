package pipeline

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/moby/buildkit/session/secrets"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// SecretFlag is one --secret: a secret's id and where its value is, over
// the spec's secrets: entry of the same id.
type SecretFlag struct {
	// ID is the secret's id.
	ID string
	// Env names the environment variable holding the value.
	Env string
	// File is the path of the file holding it.
	File string
}

// secretStore returns the store of the run's build secrets: the spec's
// secrets: (files relative to the spec's folder), each replaced by the
// --secret of the same id, and the --secret entries the spec does not
// declare. A secret an image of p uses whose variable is not set gets a
// warning on log: the step that mounts it sees an empty value, and fails
// with its own error. nil when there are none.
func secretStore(p *plan.Plan, flags []SecretFlag, specDir string, log func(string)) (secrets.SecretStore, error) {
	var used []string
	for _, n := range p.Nodes {
		used = append(used, secretsOf(n)...)
	}
	byID := map[string]secretsprovider.Source{}
	for id, s := range p.Family.Secrets {
		src := secretsprovider.Source{ID: id, Env: s.Env}
		if s.File != "" {
			src.FilePath = s.File
			if !filepath.IsAbs(src.FilePath) {
				src.FilePath = filepath.Join(specDir, src.FilePath)
			}
		}
		byID[id] = src
	}
	for _, f := range flags {
		byID[f.ID] = secretsprovider.Source{ID: f.ID, Env: f.Env, FilePath: f.File}
	}
	if len(byID) == 0 {
		return nil, nil
	}
	var list []secretsprovider.Source
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		src := byID[id]
		if src.Env != "" && os.Getenv(src.Env) == "" && slices.Contains(used, id) {
			log(fmt.Sprintf("warning: secret %q: $%s is not set or empty; the steps that use it get an empty value", id, src.Env))
		}
		list = append(list, src)
	}
	store, err := secretsprovider.NewStore(list)
	if err != nil {
		return nil, fmt.Errorf("build secrets: %w", err)
	}
	return store, nil
}

// secretsOf lists the ids of the build secrets n's steps mount, sorted,
// each once: its pip index's, its steps', and its and its ancestors' apt
// sources'.
func secretsOf(n *plan.Node) []string {
	var used []string
	if n.Spec.PipIndex != nil {
		used = append(used, n.Spec.PipIndex.Secret)
	}
	for _, s := range n.Contribution.Steps {
		used = append(used, s.Secrets...)
	}
	for up := n; up != nil; up = up.Parent {
		for _, s := range up.Spec.AptSources {
			if s.Secret != "" {
				used = append(used, s.Secret)
			}
		}
	}
	slices.Sort(used)
	return slices.Compact(used)
}
