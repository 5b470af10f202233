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

func TestSPDXRelationships(t *testing.T) {
	_, d := makeDoc(t, testInventory(), testSubject())
	var got, want []string
	for _, r := range d.Relationships {
		got = append(got, r.SpdxElementID+" "+r.RelationshipType+" "+r.RelatedSpdxElement)
	}
	want = []string{"SPDXRef-DOCUMENT DESCRIBES SPDXRef-image", "SPDXRef-image DESCENDANT_OF SPDXRef-base", "SPDXRef-image DESCENDANT_OF SPDXRef-parent"}
	sources := map[string]string{}
	for _, p := range d.Packages[3:] {
		want = append(want, "SPDXRef-image CONTAINS "+p.SPDXID)
		sources[p.Name] = p.SourceInfo
	}
	if !slices.Equal(got, want) {
		t.Errorf("relationships\n got %q\nwant %q", got, want)
	}
	for name, w := range map[string]string{
		"bash":       "deb package, dpkg database /var/lib/dpkg/status",
		"util-linux": "deb package built from source package util-linux-src, dpkg database /var/lib/dpkg/status",
		"numpy":      "python distribution /" + site + "numpy-1.26.4.dist-info",
	} {
		if sources[name] != w {
			t.Errorf("%s: sourceInfo %q, want %q", name, sources[name], w)
		}
	}

	s := testSubject()
	s.Base, s.Parent = nil, nil
	_, d = makeDoc(t, Inventory{}, s)
	if len(d.Packages) != 1 || len(d.Relationships) != 1 || d.Relationships[0].RelationshipType != "DESCRIBES" {
		t.Errorf("no base, parent or packages: got %d packages, relationships %+v", len(d.Packages), d.Relationships)
	}
}

func TestSPDXRequiredFields(t *testing.T) {
	data, _ := makeDoc(t, testInventory(), testSubject())
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"spdxVersion", "dataLicense", "SPDXID", "name", "documentNamespace", "creationInfo"} {
		if s, ok := doc[k].(string); k != "creationInfo" && (!ok || s == "") {
			t.Errorf("document field %q is %v", k, doc[k])
		}
	}
	validID := regexp.MustCompile(`^SPDXRef-[A-Za-z0-9.-]+$`)
	ids := map[string]bool{"SPDXRef-DOCUMENT": true}
	for i, p := range doc["packages"].([]any) {
		pkg := p.(map[string]any)
		for _, k := range []string{"SPDXID", "name", "downloadLocation"} {
			if s, ok := pkg[k].(string); !ok || s == "" {
				t.Errorf("package %d: required field %q is %v", i, k, pkg[k])
			}
		}
		id, _ := pkg["SPDXID"].(string)
		if !validID.MatchString(id) || ids[id] {
			t.Errorf("package %d: SPDXID %q invalid or repeated", i, id)
		}
		ids[id] = true
		// filesAnalyzed defaults to true, which would require a packageVerificationCode.
		if pkg["filesAnalyzed"] != false || pkg["packageVerificationCode"] != nil {
			t.Errorf("package %d: filesAnalyzed %v", i, pkg["filesAnalyzed"])
		}
	}
	for _, r := range doc["relationships"].([]any) {
		rel := r.(map[string]any)
		if !ids[rel["spdxElementId"].(string)] || !ids[rel["relatedSpdxElement"].(string)] {
			t.Errorf("relationship %v names an element the document lacks", rel)
		}
	}
}

func TestSPDXDeterministic(t *testing.T) {
	a, _ := makeDoc(t, testInventory(), testSubject())
	b, _ := makeDoc(t, testInventory(), testSubject())
	if !bytes.Equal(a, b) {
		t.Error("two documents from the same input differ")
	}
	inv := testInventory()
	slices.Reverse(inv.Packages)
	s := testSubject()
	s.Created = s.Created.UTC().Add(-999) // the same second, another zone
	if c, _ := makeDoc(t, inv, s); !bytes.Equal(a, c) {
		t.Error("the package order or the time's zone and fraction changed the document")
	}
	s.Parent.Digest = "sha256:" + strings.Repeat("c", 64)
	_, d1 := makeDoc(t, testInventory(), testSubject())
	_, d2 := makeDoc(t, testInventory(), s)
	if d1.DocumentNamespace == d2.DocumentNamespace {
		t.Error("another parent digest kept the documentNamespace")
	}
}

func TestSPDXErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Inventory, *Subject)
		want   string
	}{
		{"no name", func(_ *Inventory, s *Subject) { s.Name = "" }, "needs a Name"},
		{"bad ref", func(_ *Inventory, s *Subject) { s.Ref = "reg/ns/x:bad tag" }, `parsing image reference "reg/ns/x:bad tag"`},
		{"no time", func(_ *Inventory, s *Subject) { s.Created = time.Time{} }, "a Created time"},
		{"bad base", func(_ *Inventory, s *Subject) { s.Base.Ref = "Debian:Bookworm" }, `the base image: parsing image reference "Debian:Bookworm"`},
		{"bad digest", func(_ *Inventory, s *Subject) { s.Parent.Digest = "sha256:xyz" }, `the parent image: digest "sha256:xyz"`},
		{"parent without ref", func(_ *Inventory, s *Subject) { s.Parent.Ref = "" }, "the parent image has no Ref"},
		{"unknown type", func(inv *Inventory, _ *Subject) { inv.Packages[0].Type = "npm" }, `unknown type "npm"`},
	} {
		inv, s := testInventory(), testSubject()
		tc.change(&inv, &s)
		if _, err := SPDX(inv, s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q in it", tc.name, err, tc.want)
		}
	}
}
