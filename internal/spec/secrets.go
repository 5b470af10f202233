package spec

import (
	"fmt"
	"maps"
	"net/url"
	"slices"

	"github.com/wsbuild/wsbuild/internal/feature"
	"go.yaml.in/yaml/v3"
)

// Secret is an entry of secrets:, a value taken at build time and handed
// to the steps that ask for it through a BuildKit secret mount, never
// written into the build graph, a layer or a config. Exactly one of Env
// and File is set; --secret replaces an entry for a run.
type Secret struct {
	// Env names the environment variable holding the value.
	Env string `json:"env,omitempty"`
	// File is the path of the file holding it, relative to the spec's
	// folder unless absolute.
	File string `json:"file,omitempty"`
}

// PipIndex is an image's pip_index: the package index its own pip:
// packages and requirements are installed from, with the password or
// token of secret Secret (the index's URL holds no credentials).
type PipIndex struct {
	// URL is the index's simple API, such as https://pypi.example.org/simple.
	URL string `json:"url"`
	// User is the user name sent with the secret; "" sends the secret as
	// the user name alone, as token-only indexes take it.
	User string `json:"user,omitempty"`
	// Secret is the id of the secret in secrets:.
	Secret string `json:"secret"`
}

// CheckSecretID accepts a secret id: letters, digits, "_", "." and "-",
// starting with a letter or digit, at most 64 characters. It names a file
// under /run/secrets in a step, as BuildKit's ids do.
func CheckSecretID(s string) (string, error) { return feature.CheckString("secretid", s) }

// secrets decodes secrets: a mapping of ids to {env: VAR} or {file: PATH}.
func (d *decoder) secrets(f field) map[string]Secret {
	out := map[string]Secret{}
	for _, e := range d.mapping(f, "a mapping of secret ids to {env: VAR} or {file: PATH}", nil) {
		if _, err := CheckSecretID(e.name); err != nil {
			d.fail(e, "%v", err)
			continue
		}
		var s Secret
		for _, c := range d.mapping(e, "{env: VAR} or {file: PATH}", []string{"env", "file"}) {
			switch c.name {
			case "env":
				s.Env = d.str(c, func(v string) (string, error) { return v, checkEnvName(v) })
			case "file":
				s.File = d.str(c, nil)
			}
		}
		if e.val.Kind == yaml.MappingNode && (s.Env == "") == (s.File == "") {
			d.fail(e, "a secret is taken from env: or from file:, exactly one of them")
		}
		out[e.name] = s
	}
	return out
}

// pipIndex decodes an image's pip_index: {url, user, secret}.
func (d *decoder) pipIndex(f field) *PipIndex {
	p := &PipIndex{}
	has := map[string]bool{}
	for _, c := range d.mapping(f, "a {url, user, secret} mapping", []string{"url", "user", "secret"}) {
		has[c.name] = true
		switch c.name {
		case "url":
			p.URL = d.str(c, checkIndexURL)
		case "user":
			p.User = d.str(c, nil)
		case "secret":
			p.Secret = d.str(c, CheckSecretID)
		}
	}
	if f.val.Kind == yaml.MappingNode {
		for _, k := range []string{"url", "secret"} {
			if !has[k] {
				d.fail(f, "missing %s", k)
			}
		}
	}
	return p
}

// checkIndexURL accepts an http or https URL without credentials: they
// come from the secret, so the URL, which is in the build graph and the
// input digest, holds none.
func checkIndexURL(s string) (string, error) {
	return checkHTTPURL(s, "index URL", "pip_index: {url, user, secret}")
}

// checkHTTPURL accepts an http or https URL with a host and without
// credentials, which belong in a secret (as secretFields say).
func checkHTTPURL(s, what, secretFields string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return s, fmt.Errorf("invalid %s %q: expected http:// or https:// and a host", what, s)
	}
	if u.User != nil {
		return s, fmt.Errorf("the %s holds credentials: give them as a secret (%s), which stays out of the image and the build graph", what, secretFields)
	}
	return s, nil
}

// checkSecretRefs reports an image whose pip_index: or a feature (steps:)
// names a secret that secrets: does not declare.
func (d *decoder) checkSecretRefs(fam *Family) {
	for _, name := range fam.Names {
		img := fam.Images[name]
		refs := map[string]string{}
		if img.PipIndex != nil && img.PipIndex.Secret != "" {
			refs["pip_index.secret"] = img.PipIndex.Secret
		}
		for i, s := range img.AptSources {
			refs[fmt.Sprintf("apt_sources.%d.secret", i)] = s.Secret
		}
		for key, s := range img.Features {
			if u, ok := s.(feature.SecretUser); ok {
				for field, id := range u.SecretRefs() {
					refs[key+"."+field] = id
				}
			}
		}
		for _, field := range slices.Sorted(maps.Keys(refs)) {
			if id := refs[field]; id != "" {
				if _, ok := fam.Secrets[id]; !ok {
					p := "images." + name + "." + field
					d.errorf(fam.At(p), p, "secret %q is not declared under secrets:%s", id, declared(fam.Secrets))
				}
			}
		}
	}
}

func declared(m map[string]Secret) string {
	if len(m) == 0 {
		return " (there is no secrets: mapping)"
	}
	return fmt.Sprintf(" (it declares %s)", slices.Sorted(maps.Keys(m)))
}
