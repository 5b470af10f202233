package sbom

import (
	"fmt"
	"io/fs"
	"strings"
)

// osReleaseFiles are where os-release(5) says to look, in order.
var osReleaseFiles = []string{"etc/os-release", "usr/lib/os-release"}

// readOS reads the first os-release file fsys has; none gives a zero OS.
func readOS(fsys fs.FS) (OS, error) {
	for _, name := range osReleaseFiles {
		data, ok, err := readOptional(fsys, name)
		if err != nil {
			return OS{}, err
		}
		if !ok {
			continue
		}
		o, err := parseOSRelease(data)
		if err != nil {
			return OS{}, fmt.Errorf("parsing %q: %w", "/"+name, err)
		}
		return o, nil
	}
	return OS{}, nil
}

// parseOSRelease reads ID, VERSION_ID and PRETTY_NAME from os-release
// assignments (KEY=value, the value optionally in shell quotes).
func parseOSRelease(data []byte) (OS, error) {
	var o OS
	for i, l := range splitLines(data) {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(l, "=")
		if !ok {
			return OS{}, fmt.Errorf("line %d: %q is not KEY=value", i+1, l)
		}
		switch value = unquote(value); key {
		case "ID":
			o.ID = value
		case "VERSION_ID":
			o.VersionID = value
		case "PRETTY_NAME":
			o.PrettyName = value
		}
	}
	return o, nil
}

// unquote removes shell quotes from an os-release value, undoing the
// backslash escapes double quotes allow.
func unquote(v string) string {
	if len(v) < 2 || v[0] != v[len(v)-1] || (v[0] != '"' && v[0] != '\'') {
		return v
	}
	q, v := v[0], v[1:len(v)-1]
	if q == '\'' {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && strings.IndexByte("\"\\$`", v[i+1]) >= 0 {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
