// Package sbom inventories the software in a finished image's filesystem
// (Debian packages from dpkg's database, Python distributions in virtual
// environments) and turns that inventory into an SPDX 2.3 JSON document,
// the format of BuildKit's SBOM attestations.
//
// Scan runs inside the image, in the static wsbuild-probe binary, with no
// network; SPDX runs on the build host, where the image's name, base and
// parent are known.
package sbom

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
)

// Package is one software package found in an image's filesystem.
type Package struct {
	Type    string `json:"type"` // "deb" or "pypi"
	Name    string `json:"name"` // pypi: normalised as PEP 503 says
	Version string `json:"version"`
	// Arch is a deb's Architecture.
	Arch string `json:"arch,omitempty"`
	// Source is a deb's source package, when its name differs from Name.
	Source string `json:"source,omitempty"`
	// License is the license as the package records it: for pypi its
	// License-Expression, else a one-line License of at most 100 bytes, else
	// its "License ::" classifiers (SPDX ids where the mapping is obvious)
	// joined with " AND "; "" when none of these says anything.
	License string `json:"license,omitempty"`
	// Location is a pypi distribution's URL from direct_url.json, without
	// any user or password.
	Location string `json:"location,omitempty"`
	// Path is a pypi distribution's .dist-info directory, relative to the root.
	Path string `json:"path,omitempty"`
}

// OS identifies the distribution, from the image's etc/os-release (or
// usr/lib/os-release when that is missing).
type OS struct {
	ID         string `json:"id"`
	VersionID  string `json:"version_id"`
	PrettyName string `json:"pretty_name"`
}

// Inventory is what Scan found: the OS and the packages, sorted by type,
// then name (then version, arch and path).
type Inventory struct {
	OS       OS        `json:"os"`
	Packages []Package `json:"packages"`
}

// Scan inventories the image filesystem at root: the packages dpkg's
// database (var/lib/dpkg/status) says are installed, and the distributions
// in each virtual environment venvs names (absolute paths in the image, like
// /opt/venv). Symbolic links resolve inside root. A missing os-release, dpkg
// database or venv adds nothing; an unreadable or malformed file is an
// error naming it.
func Scan(root string, venvs ...string) (Inventory, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return Inventory{}, fmt.Errorf("scanning %q: %w", root, err)
	}
	if !fi.IsDir() {
		return Inventory{}, fmt.Errorf("scanning %q: not a directory", root)
	}
	return scan(rootFS(root), venvs)
}

// scan is Scan on fsys, the image's filesystem.
func scan(fsys fs.FS, venvs []string) (Inventory, error) {
	inv := Inventory{Packages: []Package{}}
	var err error
	if inv.OS, err = readOS(fsys); err != nil {
		return Inventory{}, err
	}
	debs, err := readDpkg(fsys)
	if err != nil {
		return Inventory{}, err
	}
	inv.Packages = append(inv.Packages, debs...)
	seen := map[string]bool{}
	for _, v := range venvs {
		if !path.IsAbs(v) {
			return Inventory{}, fmt.Errorf("venv %q is not an absolute path", v)
		}
		if v = path.Clean(v); seen[v] {
			continue
		}
		seen[v] = true
		dists, err := scanVenv(fsys, v)
		if err != nil {
			return Inventory{}, err
		}
		inv.Packages = append(inv.Packages, dists...)
	}
	sortPackages(inv.Packages)
	return inv, nil
}

// sortPackages sorts pkgs by type, name, version, arch and path.
func sortPackages(pkgs []Package) {
	slices.SortFunc(pkgs, func(a, b Package) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Version, b.Version), cmp.Compare(a.Arch, b.Arch), cmp.Compare(a.Path, b.Path))
	})
}

// readOptional reads name from fsys; a missing file gives ok false and no
// error.
func readOptional(fsys fs.FS, name string) (data []byte, ok bool, err error) {
	data, err = fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %q: %w", "/"+name, underlying(err))
	}
	return data, true, nil
}
