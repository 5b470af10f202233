package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/templates"
)

// SchemaID is the $id of the spec's JSON Schema.
const SchemaID = "https://wsbuild.dev/schema/wsbuild.schema.json"

// object is a JSON Schema.
type object = map[string]any

// Schema returns the JSON Schema of spec files, generated from the core
// image fields below and from the settings of every registered feature, so
// that editors with a YAML language server complete and check specs. A test
// keeps templates/wsbuild.schema.json equal to it and its keys equal to the
// decoder's.
func Schema() ([]byte, error) {
	props := object{}
	for _, k := range imageFields {
		if f, ok := feature.Lookup(k); ok {
			props[k] = featureSchema(f)
			continue
		}
		s, ok := coreSchemas[k]
		if !ok {
			return nil, fmt.Errorf("image field %q has no schema", k)
		}
		props[k] = s
	}
	image := object{
		"type": "object", "additionalProperties": false, "properties": props,
		"oneOf": []any{object{"required": []string{"base"}}, object{"required": []string{"from"}}},
	}
	push := object{"type": "object", "additionalProperties": false, "required": []string{"registry", "namespace"},
		"properties": object{
			"registry":  str("a registry host with an optional port, such as ghcr.io or 127.0.0.1:5000"),
			"namespace": str("one or more path components, such as lab or lab/ws"),
			"insecure":  boolean("plain HTTP to the registry"),
		}}
	root := object{
		"$schema": "http://json-schema.org/draft-07/schema#", "$id": SchemaID,
		"title": "wsbuild spec", "description": "A family of workstation images built by wsbuild.",
		"type": "object", "additionalProperties": false, "required": []string{"images"},
		"properties": object{
			"images":            object{"type": "object", "description": "the images, by name", "additionalProperties": image},
			"push":              object{"type": "array", "description": "the registries every image is pushed to", "items": push},
			"matrix":            matrixSchema,
			"source_date_epoch": object{"type": "integer", "minimum": 0, "description": "seconds since 1970 UTC that every timestamp is fixed to"},
			"cache":             cacheSchema,
			"secrets": object{"type": "object", "description": "values taken at build time and mounted into the steps that ask for them, never into an image",
				"additionalProperties": object{"type": "object", "additionalProperties": false, "minProperties": 1, "maxProperties": 1,
					"properties": object{"env": str("the environment variable holding the value"), "file": str("the file holding it, relative to the spec")}}},
			"compression": object{"description": "how the layers each image adds are compressed (default gzip)", "oneOf": []object{
				{"type": "string", "enum": []string{"gzip", "zstd", "uncompressed"}},
				{"type": "object", "additionalProperties": false, "required": []string{"type"}, "properties": object{
					"type":  object{"type": "string", "enum": []string{"gzip", "zstd", "uncompressed"}},
					"level": object{"type": "integer", "minimum": 0, "maximum": 22, "description": "gzip 0 to 9, zstd 1 to 22"}}},
			}},
		},
	}
	return json.MarshalIndent(root, "", "  ")
}

func str(doc string) object     { return object{"type": "string", "description": doc} }
func boolean(doc string) object { return object{"type": "boolean", "description": doc} }
func stringList(doc string) object {
	return object{"type": "array", "items": object{"type": "string"}, "description": doc}
}

// matrixSchema describes matrix: at family and image level.
var matrixSchema = object{
	"type": "object", "description": "axes (name: value or list of values), with exclude, include and tag",
	"properties": object{
		"exclude": object{"type": "array", "items": object{"type": "object"}},
		"include": object{"type": "array", "items": object{"type": "object"}},
		"tag":     str("the variant's tag template, with {axis} and {version}"),
	},
}

// coreSchemas describe the image fields that are not registered features.
var coreSchemas = map[string]object{
	"base":         str("an external image to build on, such as debian:bookworm, or oci-layout:PATH[:TAG] for an OCI image layout (folder or .tar) next to the spec"),
	"from":         str("another image of this family to build on"),
	"os":           object{"type": "string", "enum": templates.OSNames(), "description": "the OS of base, when the OS table does not know it"},
	"apt":          stringList("OS packages to install"),
	"pip":          stringList("Python packages to install into the venv"),
	"requirements": str("a requirements.txt, relative to the spec"),
	"pip_index": object{"type": "object", "additionalProperties": false, "required": []string{"url", "secret"},
		"description": "the index the image's own pip packages come from, with credentials from a secret",
		"properties": object{
			"url":    str("the index's simple API, without credentials"),
			"user":   str("the user name sent with the secret (none: the secret alone, as a token)"),
			"secret": str("the id of a secret under secrets:"),
		}},
	"apt_sources": object{"type": "array", "description": "apt repositories this image and the images built on it install from, with credentials from a secret",
		"items": object{"type": "object", "additionalProperties": false, "required": []string{"name", "uri", "suite"},
			"properties": object{
				"name":       str("names the source's files in the image (wsbuild-NAME.sources)"),
				"uri":        str("the repository's http or https address, without credentials"),
				"suite":      str("the distribution, such as bookworm, or a path ending in / for a flat repository"),
				"components": stringList("the components, such as main"),
				"key":        str("the repository's signing key, a file next to the spec (.asc or .gpg)"),
				"trusted":    object{"type": "boolean", "description": "no signature check, for a repository of your own network"},
				"user":       str("the login sent with the secret"),
				"secret":     str("the id of a secret under secrets:"),
			}}},
	"user": object{"type": "object", "additionalProperties": false, "description": "the non-root account", "properties": object{
		"name": object{"type": "string"}, "uid": object{"type": "integer", "minimum": 1}, "gid": object{"type": "integer", "minimum": 1},
	}},
	"volumes": stringList("folders under the user's home, owned by the user"),
	"env":     object{"type": "object", "additionalProperties": object{"type": []string{"string", "number", "boolean"}}, "description": "environment variables"},
	"workdir": str("the command's working directory"),
	"ports":   object{"type": "array", "items": object{"type": []string{"string", "integer"}}, "description": `ports, 8888 or "53/udp"`},
	"run": object{"description": "the command: a list (exec form) or a string (run by /bin/sh -c)",
		"type": []string{"array", "string"}, "items": object{"type": "string"}},
	"copy": object{"type": "array", "description": "files copied from the spec's folder, owned by the user", "items": object{
		"type": "object", "additionalProperties": false, "required": []string{"src", "dst"},
		"properties": object{"src": object{"type": "string"}, "dst": object{"type": "string"}}}},
	"labels": object{"type": "object", "additionalProperties": object{"type": "string"}, "description": "labels of the image config"},
	"test": object{"description": "commands run as the user inside the built image",
		"type": []string{"array", "string"}, "items": object{"type": "string"}},
	"tag":    object{"type": []string{"string", "number"}, "description": "the image's tag; default latest"},
	"cache":  cacheSchema,
	"matrix": matrixSchema,
}

// cacheSchema describes cache: at family and image level.
var cacheSchema = object{"description": "the registry cache of each image, in its push repository: registry, false, or tag and mode",
	"oneOf": []object{
		{"type": "string", "enum": []string{"registry"}},
		{"type": "boolean", "enum": []bool{false}},
		{"type": "object", "additionalProperties": false, "properties": object{
			"tag":  str("the cache's tag, with {tag} (the image's) and {image}; default {tag}-buildcache"),
			"mode": object{"type": "string", "enum": []string{"max", "min"}, "description": "max (default): every step; min: the image's layers"}}},
	}}

// featureSchema describes a registered feature's key from its settings.
func featureSchema(f feature.Feature) object {
	t := reflect.TypeOf(f.New()).Elem()
	if t.Kind() == reflect.Slice {
		item := structSchema(t.Elem())
		forms := []any{item}
		if i := slices.IndexFunc(feature.Fields(t.Elem()), func(fl feature.Field) bool { return fl.Scalar }); i >= 0 {
			forms = append(forms, fieldSchema(feature.Fields(t.Elem())[i]))
		}
		return object{"type": "array", "description": f.Doc(), "items": object{"anyOf": forms}}
	}
	off := object{"type": []string{"boolean", "null"}}
	forms := []any{off, structSchema(t)}
	if i := slices.IndexFunc(feature.Fields(t), func(fl feature.Field) bool { return fl.Scalar }); i >= 0 {
		sf := feature.Fields(t)[i]
		if sf.Required {
			// true does not say which value: false or null turns it off.
			forms[0] = object{"enum": []any{false, nil}}
		}
		forms = append(forms, fieldSchema(sf))
	}
	return object{"description": f.Doc(), "anyOf": forms}
}

func structSchema(t reflect.Type) object {
	props := object{}
	var required []string
	for _, fl := range feature.Fields(t) {
		props[fl.Name] = fieldSchema(fl)
		if fl.Required {
			required = append(required, fl.Name)
		}
	}
	s := object{"type": "object", "additionalProperties": false, "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func fieldSchema(fl feature.Field) object {
	var s object
	switch fl.Type.Kind() {
	case reflect.String:
		s = scalarSchema(fl.Check)
	case reflect.Int:
		s = object{"type": "integer", "minimum": 1, "maximum": 65535}
		if fl.Check == "porttoggle" {
			s = object{"oneOf": []any{object{"type": "boolean"}, s}}
		}
	case reflect.Bool, reflect.Pointer:
		s = object{"type": "boolean"}
	case reflect.Slice:
		s = object{"type": "array", "items": scalarSchema(fl.Check)}
	case reflect.Map:
		s = object{"type": "object", "additionalProperties": object{"type": "string"}}
	}
	if fl.Doc != "" {
		s["description"] = fl.Doc
	}
	if fl.Example != "" {
		s["examples"] = []string{fl.Example}
	}
	if fl.Default != "" && fl.Check != "porttoggle" {
		s["default"] = defaultValue(fl)
	}
	return s
}

// numericChecks are the checks of versions, which YAML may write as numbers
// (python: 3.11); the decoder takes them as written.
var numericChecks = []string{"python", "cuda", "cudnn"}

func scalarSchema(check string) object {
	s := object{"type": "string"}
	if slices.Contains(numericChecks, check) {
		s["type"] = []string{"string", "number"}
	}
	if enum := feature.OneOf(check); enum != nil {
		s["enum"] = enum
	}
	if p := feature.Pattern(check); p != "" {
		s["pattern"] = p
	}
	return s
}

func defaultValue(fl feature.Field) any {
	switch fl.Type.Kind() {
	case reflect.Int:
		var n int
		fmt.Sscan(fl.Default, &n)
		return n
	case reflect.Pointer, reflect.Bool:
		return fl.Default == "true"
	}
	return fl.Default
}
