package sbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"
)

// scanVenv returns the distributions installed in the virtual environment
// at venv (a clean absolute path in the image): one per
// VENV/lib/python*/site-packages/*.dist-info. A missing venv or
// site-packages gives none.
func scanVenv(fsys fs.FS, venv string) ([]Package, error) {
	lib := path.Join(strings.TrimPrefix(venv, "/"), "lib")
	pythons, err := readDirOptional(fsys, lib)
	if err != nil {
		return nil, err
	}
	var pkgs []Package
	for _, py := range pythons {
		if !strings.HasPrefix(py.Name(), "python") || !(py.IsDir() || py.Type()&fs.ModeSymlink != 0) {
			continue
		}
		site := path.Join(lib, py.Name(), "site-packages")
		dists, err := readDirOptional(fsys, site)
		if err != nil {
			return nil, err
		}
		for _, d := range dists {
			if !strings.HasSuffix(d.Name(), ".dist-info") {
				continue
			}
			p, err := readDistInfo(fsys, path.Join(site, d.Name()))
			if err != nil {
				return nil, err
			}
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, nil
}

// readDirOptional lists dir; a missing dir gives no entries and no error.
func readDirOptional(fsys fs.FS, dir string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing %q: %w", "/"+dir, underlying(err))
	}
	return entries, nil
}

// readDistInfo reads the distribution whose .dist-info directory is dir:
// its METADATA, which must be there, and its direct_url.json, if any.
func readDistInfo(fsys fs.FS, dir string) (Package, error) {
	meta := path.Join(dir, "METADATA")
	data, err := fs.ReadFile(fsys, meta)
	if err != nil {
		return Package{}, fmt.Errorf("reading %q: %w", "/"+meta, underlying(err))
	}
	p, err := parseMetadata(data)
	if err != nil {
		return Package{}, fmt.Errorf("parsing %q: %w", "/"+meta, err)
	}
	p.Path = dir
	direct := path.Join(dir, "direct_url.json")
	data, ok, err := readOptional(fsys, direct)
	if err != nil || !ok {
		return p, err
	}
	var du struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(data, &du); err != nil {
		return Package{}, fmt.Errorf("parsing %q: %w", "/"+direct, err)
	}
	if p.Location, err = withoutUserinfo(du.URL); err != nil {
		return Package{}, fmt.Errorf("parsing %q: %w", "/"+direct, err)
	}
	return p, nil
}

// parseMetadata reads a distribution's core metadata: the RFC 822 headers
// before the first blank line.
func parseMetadata(data []byte) (Package, error) {
	fields, _, err := readStanza(splitLines(data), 0)
	if err != nil {
		return Package{}, err
	}
	p := Package{Type: "pypi", Name: normalizeName(get(fields, "Name")), Version: get(fields, "Version")}
	if p.Name == "" || p.Version == "" {
		return Package{}, errors.New("no Name or no Version field")
	}
	var classifiers []string
	for _, f := range fields {
		if strings.EqualFold(f.key, "Classifier") {
			classifiers = append(classifiers, f.value)
		}
	}
	p.License = pypiLicense(get(fields, "License-Expression"), get(fields, "License"), classifiers)
	return p, nil
}

// normalizeName normalises a distribution name as PEP 503 says: lowercase,
// every run of '-', '_' and '.' one '-'.
func normalizeName(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		b.WriteRune(r)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}

// withoutUserinfo returns rawURL without the user and password it may
// carry, and without its query and fragment (where tokens go too, as
// ?private_token=...); "" stays "". Its error does not quote rawURL, which
// may hold a password.
func withoutUserinfo(rawURL string) (string, error) {
	if rawURL == "" {
		return "", nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", errors.New("the url is not a valid URL")
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String(), nil
}
