package oci

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/opencontainers/go-digest"
)

// LayoutBasePrefix starts a base that is a file: `base: oci-layout:PATH[:TAG]`,
// PATH a folder or tarball holding an OCI image layout, next to the spec.
const LayoutBasePrefix = "oci-layout:"

// IsLayoutBase reports whether ref names a base in an OCI image layout.
func IsLayoutBase(ref string) bool { return strings.HasPrefix(ref, LayoutBasePrefix) }

// ParseLayoutBase splits "oci-layout:PATH[:TAG][@DIGEST]" into its parts; tag
// and dgst are empty when not given. PATH ends at its first colon, so TAG
// may hold colons (the "python:3.11" of a layout wsbuild export wrote).
func ParseLayoutBase(ref string) (path, tag string, dgst digest.Digest, err error) {
	rest, ok := strings.CutPrefix(ref, LayoutBasePrefix)
	if !ok {
		return "", "", "", fmt.Errorf("%q does not start with %s", ref, LayoutBasePrefix)
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		if dgst, err = digest.Parse(rest[i+1:]); err != nil {
			return "", "", "", fmt.Errorf("%q: bad digest: %w", ref, err)
		}
		rest = rest[:i]
	}
	if i := strings.Index(rest, ":"); i >= 0 {
		rest, tag = rest[:i], rest[i+1:]
		if tag == "" {
			return "", "", "", fmt.Errorf("%q: empty tag after the colon", ref)
		}
	}
	if rest == "" {
		return "", "", "", fmt.Errorf("%q: no path: write %sPATH[:TAG], PATH a folder or .tar next to the spec", ref, LayoutBasePrefix)
	}
	return rest, tag, dgst, nil
}

// CheckLayoutPath accepts the path of a layout base: relative, and inside
// the spec's folder as written (no ".." leading out of it).
func CheckLayoutPath(p string) error {
	c := path.Clean(p)
	if path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
		return errors.New("the layout must be next to the spec: give a path inside the spec's folder")
	}
	return nil
}
