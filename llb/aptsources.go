package llb

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// Where apt sources and their keys go in the image, and where apt steps
// find the logins of those that want one (a tmpfs, never in a layer).
const (
	aptSourcesDir = "/etc/apt/sources.list.d"
	aptKeyringDir = "/etc/apt/keyrings"
	aptAuthDir    = "/etc/apt/auth.conf.d"
	aptAuthTmpfs  = "/run/wsbuild-apt-auth"
)

// aptSources writes the image's own apt_sources: each source's signing
// key and a deb822 sources file naming it, before any apt step, so the
// features' packages and the image's own can come from them, and so can
// those of the images built on it.
func (b *builder) aptSources() {
	own := b.node.Spec.AptSources
	if len(own) == 0 {
		return
	}
	fa := bk.Mkdir(aptKeyringDir, 0o755, stamp[bk.MkdirOption](b.epoch, bk.WithParents(true))...)
	var names []string
	for _, s := range own {
		if len(s.KeyData) > 0 {
			fa = fa.Mkfile(aptKeyPath(s), 0o644, s.KeyData, stamp[bk.MkfileOption](b.epoch)...)
		}
		fa = fa.Mkfile(path.Join(aptSourcesDir, "wsbuild-"+s.Name+".sources"), 0o644, []byte(sourcesFile(s)), stamp[bk.MkfileOption](b.epoch)...)
		names = append(names, s.Name)
	}
	b.state = b.state.File(fa, b.name("apt sources %s", strings.Join(names, " ")))
}

// aptKeyPath is where a source's key goes: .gpg for a binary keyring,
// else .asc (apt reads both by their extension).
func aptKeyPath(s spec.AptSource) string {
	ext := ".asc"
	if strings.HasSuffix(s.Key, ".gpg") {
		ext = ".gpg"
	}
	return path.Join(aptKeyringDir, "wsbuild-"+s.Name+ext)
}

// sourcesFile is s in deb822 form.
func sourcesFile(s spec.AptSource) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Types: deb\nURIs: %s\nSuites: %s\n", s.URI, s.Suite)
	if len(s.Components) > 0 {
		fmt.Fprintf(&b, "Components: %s\n", strings.Join(s.Components, " "))
	}
	if s.Trusted {
		b.WriteString("Trusted: yes\n")
	} else {
		fmt.Fprintf(&b, "Signed-By: %s\n", aptKeyPath(s))
	}
	return b.String()
}

// chainAptSources are the apt sources of n and of every image it is built
// on, which its apt steps read: the chain's first image's first.
func chainAptSources(n *plan.Node) []spec.AptSource {
	if n == nil {
		return nil
	}
	return append(chainAptSources(n.Parent), n.Spec.AptSources...)
}

// aptListsID names the package lists an apt step shares with the other
// images on the same base that read the same sources.
func aptListsID(base string, sources []spec.AptSource) string {
	id := "wsbuild/apt/" + base
	if len(sources) == 0 {
		return id
	}
	var b strings.Builder
	for _, s := range sources {
		fmt.Fprintf(&b, "%s %s %s %s %s %t\n", s.Name, s.URI, s.Suite, strings.Join(s.Components, ","), s.KeyDigest, s.Trusted)
	}
	return id + "/" + digest.FromString(b.String()).Encoded()[:16]
}

// aptAuth gives an apt step the logins of the sources that want one: each
// secret in the step's environment only until the step has written the
// logins, as apt_auth.conf(5) reads them, into a tmpfs (so none is in a
// layer) that also holds a copy of the image's own auth.conf.d, and that
// apt reads instead of it. It returns the script's first lines, the apt
// option naming the tmpfs (" -o ..." or "") and the step's options.
func aptAuth(sources []spec.AptSource) (script, aptOpt string, opts []bk.RunOption) {
	var b strings.Builder
	var unset []string
	for i, s := range sources {
		if s.Secret == "" {
			continue
		}
		if len(opts) == 0 {
			opts = append(opts, bk.AddMount(aptAuthTmpfs, bk.Scratch(), bk.Tmpfs()))
			fmt.Fprintf(&b, "cp -a %s/. %s/ 2>/dev/null || true\n", aptAuthDir, aptAuthTmpfs)
		}
		env := fmt.Sprintf("WSBUILD_APT_SECRET_%d", i)
		opts = append(opts, bk.AddSecretWithDest(s.Secret, nil, bk.SecretAsEnvName(env)))
		fmt.Fprintf(&b, "(umask 077; printf 'machine %%s login %%s password %%s\\n' %s %s \"$%s\" > %s)\n",
			shellWords([]string{authMachine(s.URI)}), shellWords([]string{s.User}), env, path.Join(aptAuthTmpfs, "wsbuild-"+s.Name+".conf"))
		unset = append(unset, env)
	}
	if len(unset) == 0 {
		return "", "", nil
	}
	fmt.Fprintf(&b, "unset %s\n", strings.Join(unset, " "))
	return b.String(), " -o Dir::Etc::netrcparts=" + aptAuthTmpfs, opts
}

// authMachine is a source's URI as apt_auth.conf's machine matches it:
// host and path, with the scheme only for http, which apt sends a login
// to only when the entry says http:// itself.
func authMachine(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "http" {
		return uri
	}
	return u.Host + u.Path
}
