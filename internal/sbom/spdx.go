package sbom

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// Component is an image this one is made from.
type Component struct {
	Ref    string // e.g. "127.0.0.1:5000/team/python:3.11" or "debian:bookworm"
	Digest string // its manifest's digest, "sha256:..."; "" for unknown
}

// Subject describes the image an SPDX document is about.
type Subject struct {
	Name     string     // the image's name in the spec, e.g. "python-pytorch"
	Ref      string     // its first tag, e.g. "reg/ns/python-pytorch:3.11"
	Base     *Component // the external base image, nil for none
	Parent   *Component // the parent image in the family, nil for none
	PipIndex string     // the index pip installed from, the downloadLocation of pypi packages without a Location; "" for NOASSERTION
	Created  time.Time  // creationInfo.created, written in UTC to the second
	Tool     string     // what made the document, e.g. "wsbuild-v1.2.3": creator "Tool: wsbuild-v1.2.3"
}

// SPDX returns an SPDX 2.3 JSON document about the image s whose
// filesystem inv describes: a CONTAINER package for the image (described by
// the document and DESCENDANT_OF its base and parent, packages of their
// own), and one package with a purl for each of inv's packages, which the
// image CONTAINS. The same inventory and subject give the same bytes: the
// document namespace is a digest of both.
func SPDX(inv Inventory, s Subject) ([]byte, error) {
	if s.Name == "" || s.Tool == "" || s.Created.IsZero() {
		return nil, errors.New("making an SPDX document: the subject needs a Name, a Tool and a Created time")
	}
	s.Created = s.Created.UTC().Truncate(time.Second)
	inv.Packages = slices.Clone(inv.Packages)
	sortPackages(inv.Packages)
	ns, err := namespace(inv, s)
	if err != nil {
		return nil, err
	}
	ids := &idSet{used: map[string]bool{"SPDXRef-DOCUMENT": true}, refs: map[string]string{}}
	doc := document{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name: cmp.Or(s.Ref, s.Name), DocumentNamespace: ns,
		CreationInfo: creationInfo{Created: s.Created.Format(time.RFC3339), Creators: []string{"Tool: " + s.Tool}},
	}
	image, err := container(ids, "image", s.Name, s.Ref, "")
	if err != nil {
		return nil, fmt.Errorf("making an SPDX document for %q: %w", s.Name, err)
	}
	doc.Packages = append(doc.Packages, image)
	doc.Relationships = append(doc.Relationships, relationship{doc.SPDXID, "DESCRIBES", image.SPDXID})
	for _, c := range []struct {
		role string
		c    *Component
	}{{"base", s.Base}, {"parent", s.Parent}} {
		if c.c == nil {
			continue
		}
		if c.c.Ref == "" {
			return nil, fmt.Errorf("making an SPDX document for %q: the %s image has no Ref", s.Name, c.role)
		}
		p, err := container(ids, c.role, c.c.Ref, c.c.Ref, c.c.Digest)
		if err != nil {
			return nil, fmt.Errorf("making an SPDX document for %q: the %s image: %w", s.Name, c.role, err)
		}
		doc.Packages = append(doc.Packages, p)
		doc.Relationships = append(doc.Relationships, relationship{image.SPDXID, "DESCENDANT_OF", p.SPDXID})
	}
	for _, p := range inv.Packages {
		sp, err := inventoryPackage(ids, p, inv.OS, s.PipIndex)
		if err != nil {
			return nil, fmt.Errorf("making an SPDX document for %q: %w", s.Name, err)
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, relationship{image.SPDXID, "CONTAINS", sp.SPDXID})
	}
	doc.ExtractedLicenses = ids.extracted
	return marshal(doc)
}

// container is the CONTAINER package SPDXRef-ROLE for the image ref (no
// purl when ref is "").
func container(ids *idSet, role, name, ref, digest string) (spdxPackage, error) {
	p := spdxPackage{
		Name: name, SPDXID: ids.id("SPDXRef-", role), VersionInfo: digest,
		Supplier: noAssertion, DownloadLocation: noAssertion, LicenseConcluded: noAssertion,
		LicenseDeclared: noAssertion, CopyrightText: noAssertion, PrimaryPackagePurpose: "CONTAINER",
	}
	if ref != "" {
		u, err := ociPURL(ref, digest)
		if err != nil {
			return spdxPackage{}, err
		}
		p.ExternalRefs = []externalRef{{"PACKAGE-MANAGER", "purl", u}}
	}
	return p, nil
}

// inventoryPackage is the SPDX package for p, found on the distribution o
// in an image whose pip installed from pipIndex.
func inventoryPackage(ids *idSet, p Package, o OS, pipIndex string) (spdxPackage, error) {
	if p.Name == "" {
		return spdxPackage{}, fmt.Errorf("a %s package without a name", p.Type)
	}
	sp := spdxPackage{
		Name: p.Name, SPDXID: ids.id("SPDXRef-", p.Type+"-"+p.Name), VersionInfo: p.Version,
		Supplier: noAssertion, DownloadLocation: noAssertion, LicenseConcluded: noAssertion,
		LicenseDeclared: ids.license(p.License), CopyrightText: noAssertion,
	}
	var u string
	switch p.Type {
	case "deb":
		u = debPURL(p, o)
		sp.SourceInfo = "deb package, dpkg database /" + dpkgStatus
		if p.Source != "" {
			sp.SourceInfo = "deb package built from source package " + p.Source + ", dpkg database /" + dpkgStatus
		}
	case "pypi":
		u = pypiPURL(p)
		sp.SourceInfo = "python distribution /" + p.Path
		index, err := withoutUserinfo(pipIndex)
		if err != nil {
			return spdxPackage{}, fmt.Errorf("the pip index: %w", err)
		}
		sp.DownloadLocation = cmp.Or(p.Location, index, noAssertion)
	default:
		return spdxPackage{}, fmt.Errorf("package %q has unknown type %q", p.Name, p.Type)
	}
	sp.ExternalRefs = []externalRef{{"PACKAGE-MANAGER", "purl", u}}
	return sp, nil
}

// namespace is the document's unique URI: a digest of what it says.
func namespace(inv Inventory, s Subject) (string, error) {
	data, err := json.Marshal(struct {
		Inventory Inventory
		Subject   Subject
	}{inv, s})
	if err != nil {
		return "", fmt.Errorf("hashing the SPDX document's contents: %w", err)
	}
	sum := sha256.Sum256(data)
	return "https://wsbuild.dev/spdx/" + url.PathEscape(s.Name) + "/" + hex.EncodeToString(sum[:]), nil
}

// marshal encodes v as indented JSON, leaving '&', '<' and '>' as they are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the SPDX document: %w", err)
	}
	return b.Bytes(), nil
}
