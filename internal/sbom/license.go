package sbom

import (
	"slices"
	"strings"
)

// maxLicenseLen is the longest License field taken as the license rather
// than as a license's text.
const maxLicenseLen = 100

// classifierLicenses maps the last part of a "License ::" trove classifier
// to an SPDX license id where the classifier names one license and version.
// "BSD License" names no clause count, so it stays as it is.
var classifierLicenses = map[string]string{
	"MIT License":                                             "MIT",
	"MIT No Attribution License (MIT-0)":                      "MIT-0",
	"Apache Software License":                                 "Apache-2.0", // Apache has published only 2.0 since 2004
	"ISC License (ISCL)":                                      "ISC",
	"Mozilla Public License 1.1 (MPL 1.1)":                    "MPL-1.1",
	"Mozilla Public License 2.0 (MPL 2.0)":                    "MPL-2.0",
	"Python Software Foundation License":                      "PSF-2.0",
	"The Unlicense (Unlicense)":                               "Unlicense",
	"Boost Software License 1.0 (BSL-1.0)":                    "BSL-1.0",
	"zlib/libpng License":                                     "Zlib",
	"Eclipse Public License 1.0 (EPL-1.0)":                    "EPL-1.0",
	"Eclipse Public License 2.0 (EPL-2.0)":                    "EPL-2.0",
	"Universal Permissive License (UPL)":                      "UPL-1.0",
	"Historical Permission Notice and Disclaimer (HPND)":      "HPND",
	"CC0 1.0 Universal (CC0 1.0) Public Domain Dedication":    "CC0-1.0",
	"GNU General Public License v2 (GPLv2)":                   "GPL-2.0-only",
	"GNU General Public License v2 or later (GPLv2+)":         "GPL-2.0-or-later",
	"GNU General Public License v3 (GPLv3)":                   "GPL-3.0-only",
	"GNU General Public License v3 or later (GPLv3+)":         "GPL-3.0-or-later",
	"GNU Lesser General Public License v2 (LGPLv2)":           "LGPL-2.0-only",
	"GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
	"GNU Lesser General Public License v3 (LGPLv3)":           "LGPL-3.0-only",
	"GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
	"GNU Affero General Public License v3":                    "AGPL-3.0-only",
	"GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
}

// pypiLicense chooses a distribution's license from its metadata: the
// License-Expression; else License when it is one line of at most
// maxLicenseLen bytes (and not "UNKNOWN", what old setuptools wrote for
// none); else the "License ::" classifiers, mapped to SPDX ids where
// classifierLicenses knows them, joined with " AND "; else "".
func pypiLicense(expression, license string, classifiers []string) string {
	if e := strings.TrimSpace(expression); e != "" {
		return e
	}
	if l := strings.TrimSpace(license); l != "" && !strings.Contains(l, "\n") &&
		len(l) <= maxLicenseLen && !strings.EqualFold(l, "UNKNOWN") {
		return l
	}
	var names []string
	for _, c := range classifiers {
		parts := strings.Split(c, "::")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if len(parts) < 2 || parts[0] != "License" || (len(parts) == 2 && parts[1] == "OSI Approved") {
			continue
		}
		name := parts[len(parts)-1]
		if id, ok := classifierLicenses[name]; ok {
			name = id
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return strings.Join(names, " AND ")
}
