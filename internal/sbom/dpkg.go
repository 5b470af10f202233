package sbom

import (
	"fmt"
	"io/fs"
	"strings"
)

// dpkgStatus is dpkg's database of packages, relative to the root.
const dpkgStatus = "var/lib/dpkg/status"

// readDpkg returns the installed packages dpkg's database in fsys lists;
// none when there is no database.
func readDpkg(fsys fs.FS) ([]Package, error) {
	data, ok, err := readOptional(fsys, dpkgStatus)
	if err != nil || !ok {
		return nil, err
	}
	pkgs, err := parseDpkgStatus(data)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", "/"+dpkgStatus, err)
	}
	return pkgs, nil
}

// parseDpkgStatus returns the packages of a dpkg status file that are
// installed: their Status is "WANT ok installed", whatever WANT is (a held
// or to-be-removed package is still on disk), while "deinstall ok
// config-files" and half-installed ones are skipped.
func parseDpkgStatus(data []byte) ([]Package, error) {
	lines := splitLines(data)
	var pkgs []Package
	for i := 0; i < len(lines); {
		fields, next, err := readStanza(lines, i)
		if err != nil {
			return nil, err
		}
		i = next
		if len(fields) == 0 {
			continue
		}
		if st := strings.Fields(get(fields, "Status")); len(st) != 3 || st[1] != "ok" || st[2] != "installed" {
			continue
		}
		p := Package{
			Type:    "deb",
			Name:    get(fields, "Package"),
			Version: get(fields, "Version"),
			Arch:    get(fields, "Architecture"),
		}
		if p.Name == "" || p.Version == "" {
			return nil, fmt.Errorf("line %d: an installed package without Package or Version", fields[0].line)
		}
		// Source is "name" or "name (version)" when the versions differ.
		if src, _, _ := strings.Cut(get(fields, "Source"), " "); src != p.Name {
			p.Source = src
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}
