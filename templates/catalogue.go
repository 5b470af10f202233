package templates

import _ "embed"

// Catalogue is templates/catalogue.yaml: the stock workstation family, CPU
// leg on Debian 12, as a wsbuild spec.
//
//go:embed catalogue.yaml
var Catalogue []byte

// CatalogueFile is the name Catalogue is reported under in errors.
const CatalogueFile = "templates/catalogue.yaml"

// OfflineSets is templates/offline.sets: the overrides that build Catalogue
// without a Python package index, one image.field=value per line.
//
//go:embed offline.sets
var OfflineSets []byte
