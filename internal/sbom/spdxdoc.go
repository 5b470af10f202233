package sbom

import "fmt"

// The parts of an SPDX 2.3 JSON document SPDX writes; field names and
// order follow the SPDX 2.3 JSON schema.
type (
	document struct {
		SPDXVersion       string             `json:"spdxVersion"`
		DataLicense       string             `json:"dataLicense"`
		SPDXID            string             `json:"SPDXID"`
		Name              string             `json:"name"`
		DocumentNamespace string             `json:"documentNamespace"`
		CreationInfo      creationInfo       `json:"creationInfo"`
		Packages          []spdxPackage      `json:"packages"`
		Relationships     []relationship     `json:"relationships"`
		ExtractedLicenses []extractedLicense `json:"hasExtractedLicensingInfos,omitempty"`
	}
	creationInfo struct {
		Created  string   `json:"created"`
		Creators []string `json:"creators"`
	}
	spdxPackage struct {
		Name                  string        `json:"name"`
		SPDXID                string        `json:"SPDXID"`
		VersionInfo           string        `json:"versionInfo,omitempty"`
		Supplier              string        `json:"supplier"`
		DownloadLocation      string        `json:"downloadLocation"`
		FilesAnalyzed         bool          `json:"filesAnalyzed"` // false: true (the default) needs a verification code
		SourceInfo            string        `json:"sourceInfo,omitempty"`
		LicenseConcluded      string        `json:"licenseConcluded"`
		LicenseDeclared       string        `json:"licenseDeclared"`
		CopyrightText         string        `json:"copyrightText"`
		ExternalRefs          []externalRef `json:"externalRefs,omitempty"`
		PrimaryPackagePurpose string        `json:"primaryPackagePurpose,omitempty"`
	}
	externalRef struct {
		ReferenceCategory string `json:"referenceCategory"`
		ReferenceType     string `json:"referenceType"`
		ReferenceLocator  string `json:"referenceLocator"`
	}
	relationship struct {
		Element string `json:"spdxElementId"`
		Type    string `json:"relationshipType"`
		Related string `json:"relatedSpdxElement"`
	}
	extractedLicense struct {
		LicenseID     string `json:"licenseId"`
		ExtractedText string `json:"extractedText"`
		Name          string `json:"name"`
	}
)

// noAssertion is SPDX's "this document says nothing about it".
const noAssertion = "NOASSERTION"

// idSet hands out unique SPDX identifiers and LicenseRefs.
type idSet struct {
	used      map[string]bool
	refs      map[string]string // license text -> its LicenseRef
	extracted []extractedLicense
}

// id returns prefix+name, made valid (letters, digits, '.', '-') and, with
// a "-2", "-3"... suffix, unique.
func (s *idSet) id(prefix, name string) string {
	base := prefix + idString(name)
	id := base
	for n := 2; s.used[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	s.used[id] = true
	return id
}

// license returns what licenseDeclared says for a package recording text:
// NOASSERTION for none, text when it is an SPDX expression validExpression
// accepts, else a LicenseRef whose extracted text is text.
func (s *idSet) license(text string) string {
	switch {
	case text == "":
		return noAssertion
	case validExpression(text):
		return text
	case s.refs[text] != "":
		return s.refs[text]
	}
	ref := s.id("LicenseRef-", text)
	s.refs[text] = ref
	s.extracted = append(s.extracted, extractedLicense{LicenseID: ref, ExtractedText: text, Name: text})
	return ref
}

// idString replaces every byte of s an SPDX idstring may not hold with '-'.
func idString(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	if len(b) == 0 {
		return "unnamed"
	}
	return string(b)
}
