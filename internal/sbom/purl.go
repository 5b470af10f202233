package sbom

import (
	"fmt"
	"github.com/wsbuild/wsbuild/internal/oci"
	"path"
	"strings"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// purlEscape percent-encodes s as the purl standard wants a name, version
// or qualifier value: every byte but ASCII letters and digits, ".-_~" and
// ':' (which the standard says is never encoded).
func purlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_~:", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// purl assembles a package URL. namespace and version may be "";
// qualifiers are key, value pairs with the keys in sorted order, and a
// pair with an empty value is left out.
func purl(typ, namespace, name, version string, qualifiers ...string) string {
	s := "pkg:" + typ + "/"
	if namespace != "" {
		s += purlEscape(namespace) + "/"
	}
	s += purlEscape(name)
	if version != "" {
		s += "@" + purlEscape(version)
	}
	sep := "?"
	for i := 0; i+1 < len(qualifiers); i += 2 {
		if qualifiers[i+1] != "" {
			s += sep + qualifiers[i] + "=" + purlEscape(qualifiers[i+1])
			sep = "&"
		}
	}
	return s
}

// debPURL is the purl of a Debian package on the distribution o, like
// pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12. Without an
// os-release ID it has no namespace, without a VERSION_ID no distro.
func debPURL(p Package, o OS) string {
	distro := ""
	if o.ID != "" && o.VersionID != "" {
		distro = o.ID + "-" + o.VersionID
	}
	return purl("deb", strings.ToLower(o.ID), strings.ToLower(p.Name), p.Version, "arch", p.Arch, "distro", distro)
}

// pypiPURL is the purl of a Python distribution, like pkg:pypi/numpy@1.26.4.
func pypiPURL(p Package) string {
	return purl("pypi", "", p.Name, p.Version)
}

// ociPURL is the purl of the image ref (with digest, or ref's own digest
// when digest is ""), like
// pkg:oci/debian@sha256:...?repository_url=docker.io%2Flibrary%2Fdebian&tag=bookworm.
func ociPURL(ref, dgst string) (string, error) {
	if oci.IsLayoutBase(ref) {
		return layoutPURL(ref, dgst)
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("parsing image reference %q: %w", ref, err)
	}
	if d, ok := named.(reference.Digested); ok && dgst == "" {
		dgst = d.Digest().String()
	}
	if dgst != "" {
		if _, err := digest.Parse(dgst); err != nil {
			return "", fmt.Errorf("digest %q of %q: %w", dgst, ref, err)
		}
	}
	tag := ""
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	repo := named.Name()
	return purl("oci", "", strings.ToLower(path.Base(repo)), dgst, "repository_url", repo, "tag", tag), nil
}

// layoutPURL is the purl of an image read from an OCI layout file
// (oci-layout:PATH[:TAG]), which has no repository: named after the
// file, like pkg:oci/debian@sha256:...?tag=bookworm for
// oci-layout:bases/debian.tar:bookworm.
func layoutPURL(ref, dgst string) (string, error) {
	file, tag, pinned, err := oci.ParseLayoutBase(ref)
	if err != nil {
		return "", err
	}
	if dgst == "" {
		dgst = pinned.String()
	}
	name := strings.ToLower(strings.TrimSuffix(path.Base(file), ".tar"))
	return purl("oci", "", name, dgst, "tag", tag), nil
}
