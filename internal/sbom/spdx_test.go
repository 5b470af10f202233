package sbom

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	baseDigest   = "sha256:" + strings.Repeat("a", 64)
	parentDigest = "sha256:" + strings.Repeat("b", 64)
)

func testInventory() Inventory {
	return Inventory{
		OS: OS{ID: "debian", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)"},
		Packages: []Package{
			{Type: "pypi", Name: "torch", Version: "2.3.0+cpu", License: "BSD License", Path: site + "torch-2.3.0+cpu.dist-info"},
			{Type: "deb", Name: "bash", Version: "5.2.15-2+b7", Arch: "amd64"},
			{Type: "deb", Name: "util-linux", Version: "1:2.38.1-5+deb12u1", Arch: "amd64", Source: "util-linux-src"},
			{Type: "deb", Name: "libc6", Version: "2.36-9", Arch: "i386"},
			{Type: "deb", Name: "libc6", Version: "2.36-9", Arch: "amd64"},
			{Type: "pypi", Name: "numpy", Version: "1.26.4", License: "BSD-3-Clause", Path: site + "numpy-1.26.4.dist-info"},
			{Type: "pypi", Name: "my-pkg", Version: "0.1", License: "BSD License", Location: "git+https://git.example.com/p.git", Path: site + "my_pkg-0.1.dist-info"},
		},
	}
}

func testSubject() Subject {
	return Subject{
		Name: "python-pytorch", Ref: "reg.example:5000/ns/python-pytorch:3.11",
		Base:     &Component{Ref: "debian:bookworm", Digest: baseDigest},
		Parent:   &Component{Ref: "127.0.0.1:5000/team/python:3.11", Digest: parentDigest},
		PipIndex: "https://user:tok@pypi.example/simple",
		Created:  time.Date(2026, 11, 2, 10, 4, 5, 999, time.FixedZone("CET", 3600)),
		Tool:     "wsbuild-v1.2.3",
	}
}

// spdxDoc is what the tests read back: SPDX 2.3 JSON names, spelt here
// independently of the package's own types.
type spdxDoc struct {
	SPDXVersion, DataLicense, SPDXID, Name, DocumentNamespace string
	CreationInfo                                              struct {
		Created  string
		Creators []string
	}
	Packages []struct {
		SPDXID, Name, VersionInfo, DownloadLocation, LicenseDeclared, LicenseConcluded, SourceInfo, PrimaryPackagePurpose string
		FilesAnalyzed                                                                                                     *bool
		ExternalRefs                                                                                                      []struct{ ReferenceCategory, ReferenceType, ReferenceLocator string }
	}
	Relationships []struct {
		SpdxElementID      string `json:"spdxElementId"`
		RelationshipType   string
		RelatedSpdxElement string
	}
	HasExtractedLicensingInfos []struct{ LicenseID, ExtractedText string }
}

func makeDoc(t *testing.T, inv Inventory, s Subject) ([]byte, spdxDoc) {
	t.Helper()
	data, err := SPDX(inv, s)
	if err != nil {
		t.Fatal(err)
	}
	var d spdxDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("the document does not unmarshal: %v\n%s", err, data)
	}
	return data, d
}

func TestSPDX(t *testing.T) {
	data, d := makeDoc(t, testInventory(), testSubject())
	if d.SPDXVersion != "SPDX-2.3" || d.DataLicense != "CC0-1.0" || d.SPDXID != "SPDXRef-DOCUMENT" || d.Name != testSubject().Ref {
		t.Errorf("header %q %q %q %q", d.SPDXVersion, d.DataLicense, d.SPDXID, d.Name)
	}
	if !regexp.MustCompile(`^https://wsbuild\.dev/spdx/python-pytorch/[0-9a-f]{64}$`).MatchString(d.DocumentNamespace) {
		t.Errorf("documentNamespace %q", d.DocumentNamespace)
	}
	if d.CreationInfo.Created != "2026-11-02T09:04:05Z" || !slices.Equal(d.CreationInfo.Creators, []string{"Tool: wsbuild-v1.2.3"}) {
		t.Errorf("creationInfo %+v", d.CreationInfo)
	}
	type want struct{ id, purl, download, license, purpose string }
	wants := map[string]want{ // by name and version
		"python-pytorch ":                                 {"SPDXRef-image", "pkg:oci/python-pytorch?repository_url=reg.example:5000%2Fns%2Fpython-pytorch&tag=3.11", "NOASSERTION", "NOASSERTION", "CONTAINER"},
		"debian:bookworm " + baseDigest:                   {"SPDXRef-base", "pkg:oci/debian@" + baseDigest + "?repository_url=docker.io%2Flibrary%2Fdebian&tag=bookworm", "NOASSERTION", "NOASSERTION", "CONTAINER"},
		"127.0.0.1:5000/team/python:3.11 " + parentDigest: {"SPDXRef-parent", "pkg:oci/python@" + parentDigest + "?repository_url=127.0.0.1:5000%2Fteam%2Fpython&tag=3.11", "NOASSERTION", "NOASSERTION", "CONTAINER"},
		"bash 5.2.15-2+b7":                                {"", "pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12", "NOASSERTION", "NOASSERTION", ""},
		"util-linux 1:2.38.1-5+deb12u1":                   {"", "pkg:deb/debian/util-linux@1:2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12", "NOASSERTION", "NOASSERTION", ""},
		"libc6 2.36-9":                                    {"", "", "NOASSERTION", "NOASSERTION", ""}, // two of them, checked below
		"numpy 1.26.4":                                    {"SPDXRef-pypi-numpy", "pkg:pypi/numpy@1.26.4", "https://pypi.example/simple", "BSD-3-Clause", ""},
		"torch 2.3.0+cpu":                                 {"", "pkg:pypi/torch@2.3.0%2Bcpu", "https://pypi.example/simple", "LicenseRef-BSD-License", ""},
		"my-pkg 0.1":                                      {"", "pkg:pypi/my-pkg@0.1", "git+https://git.example.com/p.git", "LicenseRef-BSD-License", ""},
	}
	var libc6 []string
	for _, p := range d.Packages {
		w, ok := wants[p.Name+" "+p.VersionInfo]
		if !ok {
			t.Errorf("unexpected package %q %q", p.Name, p.VersionInfo)
			continue
		}
		if len(p.ExternalRefs) != 1 || p.ExternalRefs[0].ReferenceCategory != "PACKAGE-MANAGER" || p.ExternalRefs[0].ReferenceType != "purl" {
			t.Errorf("%s: externalRefs %+v, want one purl", p.Name, p.ExternalRefs)
			continue
		}
		got := want{p.SPDXID, p.ExternalRefs[0].ReferenceLocator, p.DownloadLocation, p.LicenseDeclared, p.PrimaryPackagePurpose}
		if p.Name == "libc6" {
			libc6 = append(libc6, got.purl)
			got.purl = ""
		}
		if w.id == "" {
			w.id = got.id
		}
		if got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", p.Name, got, w)
		}
	}
	if len(d.Packages) != 10 || !slices.Equal(libc6, []string{
		"pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12", "pkg:deb/debian/libc6@2.36-9?arch=i386&distro=debian-12"}) {
		t.Errorf("%d packages, libc6 purls %q", len(d.Packages), libc6)
	}
	if len(d.HasExtractedLicensingInfos) != 1 || d.HasExtractedLicensingInfos[0].LicenseID != "LicenseRef-BSD-License" ||
		d.HasExtractedLicensingInfos[0].ExtractedText != "BSD License" {
		t.Errorf("hasExtractedLicensingInfos %+v", d.HasExtractedLicensingInfos)
	}
	if bytes.Contains(data, []byte("tok@")) || bytes.Contains(data, []byte(`\u0026`)) {
		t.Errorf("the document holds the pip index's password or an escaped '&':\n%s", data)
	}
}
