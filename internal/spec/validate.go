package spec

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// Grammar from distribution's reference package.
const (
	nameComponent   = `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
	domainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
)

// maxRefLen is distribution's limit on registry/namespace/name.
const maxRefLen = 255

var (
	nameRE      = regexp.MustCompile(`^` + nameComponent + `$`)
	namespaceRE = regexp.MustCompile(`^` + nameComponent + `(?:/` + nameComponent + `)*$`)
	tagRE       = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	registryRE  = regexp.MustCompile(`^(?:` + domainComponent + `(?:\.` + domainComponent + `)*|\[[a-fA-F0-9:]+\])(?::([0-9]+))?$`)
	envRE       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	userRE      = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)
	pythonRE    = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+){0,2}$`)
)

func checkImageName(s string) error {
	if !nameRE.MatchString(s) {
		return fmt.Errorf(`invalid image name %q: use lowercase letters and digits, separated by ".", "_", "__" or "-"`, s)
	}
	return nil
}

func checkTag(s string) (string, error) {
	if !tagRE.MatchString(s) {
		return s, fmt.Errorf(`invalid tag %q: use up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`, s)
	}
	return s, nil
}

func checkNamespace(s string) (string, error) {
	if !namespaceRE.MatchString(s) {
		return s, fmt.Errorf(`invalid namespace %q: use lowercase path components separated by "/", such as "lab" or "lab/ws"`, s)
	}
	return s, nil
}

func checkRegistry(s string) (string, error) {
	m := registryRE.FindStringSubmatch(s)
	if m == nil {
		return s, fmt.Errorf(`invalid registry %q: expected a host with an optional port, such as "ghcr.io" or "127.0.0.1:5000"`, s)
	}
	if m[1] != "" {
		if p, err := strconv.Atoi(m[1]); err != nil || p < 1 || p > 65535 {
			return s, fmt.Errorf("invalid registry %q: port must be 1-65535", s)
		}
	}
	return s, nil
}

// checkBase accepts exactly what the resolver will parse (distribution's
// normalised reference grammar), so a base that validates also resolves,
// or an OCI layout next to the spec (oci-layout:PATH[:TAG]).
func checkBase(s string) (string, error) {
	if !oci.IsLayoutBase(s) {
		return feature.CheckString("image", s)
	}
	p, _, d, err := oci.ParseLayoutBase(s)
	switch {
	case err != nil:
		return s, err
	case d != "":
		return s, fmt.Errorf("%q: a base from a file is pinned by wsbuild lock, not in the spec: leave out @%s", s, d)
	}
	if err := oci.CheckLayoutPath(p); err != nil {
		return s, fmt.Errorf("%q: %w", s, err)
	}
	return s, nil
}

func checkAptPackage(s string) (string, error) {
	switch {
	case s == "":
		return s, errors.New("empty package name")
	case hasControl(s):
		return s, fmt.Errorf("invalid package %q: control characters are not part of a package name", s)
	case strings.ContainsAny(s, " "):
		return s, fmt.Errorf("invalid package %q: one package per list item", s)
	case strings.HasPrefix(s, "-"):
		return s, fmt.Errorf("invalid package %q: must not start with \"-\"", s)
	}
	return s, nil
}

var (
	// twoRequirementsRE matches a pip item holding two names apart, such
	// as "numpy pandas"; PEP 508 allows spaces only before an operator, a
	// marker or a URL ("numpy >= 2", "numpy ; python_version < '3.12'").
	twoRequirementsRE = regexp.MustCompile(`^[A-Za-z0-9._\[\],-]+\s+[A-Za-z0-9]`)
	// userinfoRE matches a URL carrying credentials: scheme://user:token@host.
	userinfoRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/@\s]+@`)
)

func checkPipPackage(s string) (string, error) {
	switch {
	case strings.TrimSpace(s) == "":
		return s, errors.New("empty package name")
	case hasControl(s):
		return s, fmt.Errorf("invalid package %q: control characters (newline, tab, CR, NUL) are not part of a requirement", s)
	case strings.TrimSpace(s) != s:
		return s, fmt.Errorf("invalid package %q: leading or trailing whitespace", s)
	case strings.HasPrefix(s, "-"):
		return s, fmt.Errorf("invalid package %q: must not start with \"-\"; use requirements: for pip options", s)
	case twoRequirementsRE.MatchString(s):
		return s, fmt.Errorf("invalid package %q: one requirement per list item", s)
	case userinfoRE.MatchString(s):
		// The item would land in the LLB, the step's name and the build log.
		return s, fmt.Errorf("invalid package %q: a URL with credentials would be written into the build graph and its logs; give the index or repository without them, and its token as a build secret", redactUserinfo(s))
	}
	return s, nil
}

// redactUserinfo hides the credentials of URLs in s.
func redactUserinfo(s string) string {
	return userinfoRE.ReplaceAllStringFunc(s, func(m string) string {
		scheme, _, _ := strings.Cut(m, "://")
		return scheme + "://***@"
	})
}

// hasControl reports whether s holds a control character.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

// checkWorkdir checks an absolute working directory without "..", and
// normalises it ("/home/user/" and "/home//user" are "/home/user").
func checkWorkdir(s string) (string, error) {
	switch {
	case !path.IsAbs(s):
		return s, fmt.Errorf("workdir %q must be an absolute path", s)
	case hasDotDot(s):
		return s, fmt.Errorf("workdir %q must not contain \"..\": write the folder it means, such as %q", s, path.Clean(s))
	}
	return path.Clean(s), nil
}

// checkCopyDst checks a copy destination: a path in the image, absolute
// or relative to the working directory.
func checkCopyDst(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return s, errors.New(`empty dst: name where the file goes in the image, relative to workdir (such as "app/") or absolute`)
	}
	return s, nil
}

func checkVolume(s string) (string, error) {
	switch {
	case s == "":
		return s, errors.New("empty volume")
	case path.IsAbs(s):
		return s, fmt.Errorf("volume %q must be relative to the user's home", s)
	case hasDotDot(s):
		return s, fmt.Errorf("volume %q must not contain \"..\"", s)
	case path.Clean(s) == ".":
		return s, fmt.Errorf("volume %q names the home folder itself", s)
	}
	return s, nil
}

// checkLocalPath checks a path relative to the spec's folder (copy src,
// requirements): not absolute and not leading out of the folder.
func checkLocalPath(what, s string) (string, error) {
	switch {
	case s == "":
		return s, fmt.Errorf("empty %s", what)
	case path.IsAbs(s):
		return s, fmt.Errorf("%s %q must be relative to the spec's folder", what, s)
	case escapes(s):
		return s, fmt.Errorf("%s %q leads out of the spec's folder", what, s)
	}
	return s, nil
}

func hasDotDot(s string) bool {
	for _, part := range strings.Split(s, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

func escapes(s string) bool {
	c := path.Clean(s)
	return c == ".." || strings.HasPrefix(c, "../")
}

// normalizePort turns "8888", "8888/tcp" or "53/udp" into "port/proto".
func normalizePort(s string) (string, error) {
	num, proto, hasProto := strings.Cut(s, "/")
	if !hasProto {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" {
		return s, fmt.Errorf("invalid port %q: protocol must be tcp or udp", s)
	}
	p, err := strconv.Atoi(num)
	if err != nil {
		return s, fmt.Errorf(`invalid port %q: expected a number such as 8888 or "53/udp"`, s)
	}
	if p < 1 || p > 65535 {
		return s, fmt.Errorf("invalid port %q: must be 1-65535", s)
	}
	return strconv.Itoa(p) + "/" + proto, nil
}

func checkEnvName(s string) error {
	if !envRE.MatchString(s) {
		return fmt.Errorf(`invalid environment variable name %q: use letters, digits and "_", not starting with a digit`, s)
	}
	return nil
}

func checkLabelKey(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("empty label key")
	}
	return nil
}

func checkUserName(s string) (string, error) {
	if s == "root" {
		return s, errors.New("must not be root: the image runs as a normal account")
	}
	if !userRE.MatchString(s) {
		return s, fmt.Errorf(`invalid user name %q: use up to 32 lowercase letters, digits, "_" and "-", starting with a letter or "_"`, s)
	}
	return s, nil
}
