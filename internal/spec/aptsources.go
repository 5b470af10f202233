package spec

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	"go.yaml.in/yaml/v3"
)

// AptSource is an entry of an image's apt_sources: an apt repository its
// apt steps, and those of the images built on it, install from. Its
// credentials, when it wants them, come from a build secret and reach the
// apt steps only, never a layer.
type AptSource struct {
	// Name names the source's files in the image:
	// /etc/apt/sources.list.d/wsbuild-NAME.sources and its key.
	Name string `json:"name"`
	// URI is the repository's address, http or https, with no credentials.
	URI string `json:"uri"`
	// Suite is the distribution, such as "bookworm", or a path ending in
	// "/" for a flat repository.
	Suite string `json:"suite"`
	// Components are the repository's components, such as ["main"]; none
	// for a flat repository.
	Components []string `json:"components,omitempty"`
	// Key is the path, in the spec's folder, of the OpenPGP key the
	// repository is signed with (armored .asc or binary .gpg).
	Key string `json:"key,omitempty"`
	// KeyData is Key's content, read when the spec loads; it is in input
	// digests by KeyDigest.
	KeyData []byte `json:"-"`
	// KeyDigest is the digest of KeyData.
	KeyDigest digest.Digest `json:"keyDigest,omitempty"`
	// Trusted installs from the repository without checking signatures:
	// for a repository on loopback or a private network, in tests.
	Trusted bool `json:"trusted,omitempty"`
	// User is the login sent with the secret; set with Secret or not at all.
	User string `json:"user,omitempty"`
	// Secret is the id, in secrets:, of the password or token.
	Secret string `json:"secret,omitempty"`
}

// aptSourceNameRE is what a source's name may be: a file name part.
var aptSourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// aptSourceFields are the keys of an apt_sources: entry.
var aptSourceFields = []string{"name", "uri", "suite", "components", "key", "trusted", "user", "secret"}

// aptSources decodes apt_sources: a list of source mappings.
func (d *decoder) aptSources(f field) []AptSource {
	var out []AptSource
	names := map[string]bool{}
	for _, e := range d.list(f, "a list of {name, uri, suite, components, key, trusted, user, secret} mappings") {
		s := AptSource{}
		has := map[string]bool{}
		for _, c := range d.mapping(e, "a {name, uri, suite, components, key, trusted, user, secret} mapping", aptSourceFields) {
			has[c.name] = true
			switch c.name {
			case "name":
				s.Name = d.str(c, checkAptSourceName)
			case "uri":
				s.URI = d.str(c, checkAptURI)
			case "suite":
				s.Suite = d.str(c, checkAptWord)
			case "components":
				s.Components = d.strList(c, "a list of strings", "a string", checkAptWord)
			case "key":
				s.Key, s.KeyData = d.aptKey(c)
				s.KeyDigest = digest.FromBytes(s.KeyData)
			case "trusted":
				s.Trusted = d.boolean(c)
			case "user":
				s.User = d.str(c, checkAptWord)
			case "secret":
				s.Secret = d.str(c, CheckSecretID)
			}
		}
		if e.val.Kind != yaml.MappingNode {
			continue
		}
		for _, k := range []string{"name", "uri", "suite"} {
			if !has[k] {
				d.fail(e, "missing %s", k)
			}
		}
		switch {
		case s.Key == "" && !s.Trusted:
			d.fail(e, "give key: (the repository's signing key, a file next to the spec) or trusted: true (no signature check, for a repository of your own network)")
		case s.Key != "" && s.Trusted:
			d.fail(e, "give key: or trusted: true, not both")
		case strings.HasSuffix(s.Suite, "/") && len(s.Components) > 0:
			d.fail(e, "a flat repository (suite ending in /) has no components")
		case !strings.HasSuffix(s.Suite, "/") && s.Suite != "" && len(s.Components) == 0:
			d.fail(e, "missing components (such as [main]); a flat repository's suite ends in /")
		case (s.User == "") != (s.Secret == ""):
			d.fail(e, "a login is user: and secret: (the id of its password or token), both or neither")
		}
		if names[s.Name] && s.Name != "" {
			d.fail(e, "another source is named %q", s.Name)
		}
		names[s.Name] = true
		out = append(out, s)
	}
	return out
}

// aptKey reads the key file a source names from the spec's folder.
func (d *decoder) aptKey(f field) (string, []byte) {
	p := d.str(f, func(s string) (string, error) { return checkLocalPath("key file", s) })
	if p == "" || escapes(p) {
		return p, nil
	}
	if d.fsys == nil {
		d.fail(f, "cannot read %q: no folder was given to read it from", p)
		return p, nil
	}
	data, err := fs.ReadFile(d.fsys, p)
	if err != nil {
		d.fail(f, "reading %q: %v", p, err)
		return p, nil
	}
	return p, data
}

func checkAptSourceName(s string) (string, error) {
	if !aptSourceNameRE.MatchString(s) {
		return s, fmt.Errorf("invalid source name %q: lowercase letters, digits and -, starting with a letter or digit", s)
	}
	return s, nil
}

// checkAptURI accepts an http or https URL without credentials, which come
// from the secret.
func checkAptURI(s string) (string, error) {
	return checkHTTPURL(s, "repository URI", "user: and secret:")
}

// checkAptWord accepts a word of a sources file: no space, no newline.
func checkAptWord(s string) (string, error) {
	if s == "" || strings.ContainsAny(s, " \t\r\n#") {
		return s, fmt.Errorf("invalid value %q: one word, with no space or #", s)
	}
	return s, nil
}

// checkAptSourceNames reports an apt source named as one of an image the
// image is built on: its files would replace that source's.
func (d *decoder) checkAptSourceNames(fam *Family) {
	for _, name := range fam.Names {
		img := fam.Images[name]
		seen := map[string]bool{name: true}
		for up := fam.Images[img.From]; up != nil && !seen[up.From]; up = fam.Images[up.From] {
			seen[up.From] = true
			for i, s := range img.AptSources {
				if slices.ContainsFunc(up.AptSources, func(o AptSource) bool { return o.Name == s.Name }) {
					p := fmt.Sprintf("images.%s.apt_sources.%d.name", name, i)
					d.errorf(fam.At(p), p, "an image it is built on has a source named %q already; give this one another name", s.Name)
				}
			}
		}
	}
}
