// Package buildcache parses BuildKit cache backends written as buildx writes
// them (--cache-to and --cache-from: type=registry,ref=...,mode=max,
// type=local,dest=..., type=inline, type=gha, type=s3...) and turns one
// entry into the entry of each image of a family, so that every image gets a
// cache of its own.
package buildcache

import (
	"encoding/csv"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Placeholders a cache entry's attribute values may hold; Entry.ForImage
// replaces them.
const (
	// ImagePlaceholder is replaced by the image's name, ":" written "-" (a
	// matrix variant's name is REPOSITORY:TAG).
	ImagePlaceholder = "{image}"
	// TagPlaceholder is replaced by the image's tag.
	TagPlaceholder = "{tag}"
	// RefPlaceholder is replaced by the image's first push target,
	// REGISTRY/NAMESPACE/REPOSITORY:TAG: the image itself, where
	// type=inline put its cache.
	RefPlaceholder = "{ref}"
)

// Known backend types. Types other than registry, local and inline are
// passed to BuildKit with their attributes as given.
var knownTypes = []string{"registry", "local", "inline", "gha", "s3", "azblob"}

// Entry is one cache backend: a type and its attributes, as BuildKit's
// client.CacheOptionsEntry takes them.
type Entry struct {
	// Type is the backend: registry, local, inline, gha, s3 or azblob.
	Type string
	// Attrs are the backend's attributes (ref, dest, src, mode...).
	Attrs map[string]string
}

// Direction says whether an entry exports (--cache-to) or imports
// (--cache-from) cache.
type Direction bool

const (
	// Export is --cache-to.
	Export Direction = true
	// Import is --cache-from.
	Import Direction = false
)

// Flag is the command-line flag of the direction.
func (d Direction) Flag() string {
	if d == Export {
		return "--cache-to"
	}
	return "--cache-from"
}

// Parse reads one --cache-to (d is Export) or --cache-from value with
// buildx's syntax: comma-separated key=value pairs (CSV quoting allowed),
// one of them type; a value without "=" is a registry reference
// (type=registry,ref=VALUE). Errors name the flag and the bad key.
func Parse(d Direction, value string) (Entry, error) {
	flag := d.Flag()
	if strings.TrimSpace(value) == "" {
		return Entry{}, fmt.Errorf("%s: empty value (want type=registry,ref=..., type=local,%s=..., ...)", flag, localKey(d))
	}
	if !strings.Contains(value, "=") {
		value = "type=registry,ref=" + value
	}
	fields, err := csv.NewReader(strings.NewReader(value)).Read()
	if err != nil {
		return Entry{}, fmt.Errorf("%s %q: %w", flag, value, err)
	}
	e := Entry{Attrs: map[string]string{}}
	for _, f := range fields {
		k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		k = strings.ToLower(strings.TrimSpace(k))
		switch {
		case !ok || k == "":
			return Entry{}, fmt.Errorf("%s %q: %q is not key=value", flag, value, f)
		case k == "type":
			e.Type = v
		default:
			if _, dup := e.Attrs[k]; dup {
				return Entry{}, fmt.Errorf("%s %q: key %q given twice", flag, value, k)
			}
			e.Attrs[k] = v
		}
	}
	if err := e.check(d); err != nil {
		return Entry{}, fmt.Errorf("%s %q: %w", flag, value, err)
	}
	return e, nil
}

// check says what is wrong with e as an entry of direction d.
func (e Entry) check(d Direction) error {
	if e.Type == "" {
		return fmt.Errorf("key \"type\" is missing (want one of %s)", strings.Join(knownTypes, ", "))
	}
	if !slices.Contains(knownTypes, e.Type) {
		return fmt.Errorf("unknown type %q (want one of %s)", e.Type, strings.Join(knownTypes, ", "))
	}
	if m, ok := e.Attrs["mode"]; ok {
		if d == Import {
			return fmt.Errorf("key \"mode\" is for --cache-to only")
		}
		if m != "min" && m != "max" {
			return fmt.Errorf("key \"mode\": %q is neither min nor max", m)
		}
	}
	switch e.Type {
	case "registry":
		if e.Attrs["ref"] == "" {
			return fmt.Errorf("key \"ref\" is missing: type=registry needs ref=REGISTRY/REPOSITORY")
		}
	case "local":
		want, other := localKey(d), localKey(!d)
		if _, ok := e.Attrs[other]; ok {
			return fmt.Errorf("key %q is for %s; %s takes %s=FOLDER", other, (!d).Flag(), d.Flag(), want)
		}
		if e.Attrs[want] == "" {
			return fmt.Errorf("key %q is missing: type=local needs %s=FOLDER", want, want)
		}
	case "inline":
		if d == Import {
			return fmt.Errorf("type=inline is for --cache-to only: import inline cache with type=registry,ref=IMAGE")
		}
		for k := range e.Attrs {
			return fmt.Errorf("key %q: type=inline takes no attributes", k)
		}
	}
	return nil
}

// localKey is the attribute naming a local cache's folder: dest to export,
// src to import.
func localKey(d Direction) string {
	if d == Export {
		return "dest"
	}
	return "src"
}

// ForImage is e for one image of the family: ImagePlaceholder and
// TagPlaceholder are replaced in every attribute value, and where the
// attribute that names the cache (registry ref, local dest or src, gha
// scope, s3 and azblob name) holds no placeholder, the image's name is
// added to it so that each image has a cache of its own: a registry ref
// without a tag gets the tag IMAGE (ref=reg/ns/cache -> reg/ns/cache:IMAGE),
// one with a tag gets "-IMAGE" after it; a local folder gets the subfolder
// IMAGE; gha's scope and s3's or azblob's name get "-IMAGE", or IMAGE when
// not given. type=inline is returned as it is.
func (e Entry) ForImage(d Direction, image, tag, ref string) Entry {
	name := strings.ReplaceAll(image, ":", "-")
	out := Entry{Type: e.Type, Attrs: make(map[string]string, len(e.Attrs)+1)}
	placed := false
	for k, v := range e.Attrs {
		if strings.Contains(v, ImagePlaceholder) || strings.Contains(v, TagPlaceholder) || strings.Contains(v, RefPlaceholder) {
			placed = placed || k == e.nameKey(d)
			v = strings.NewReplacer(ImagePlaceholder, name, TagPlaceholder, tag, RefPlaceholder, ref).Replace(v)
		}
		out.Attrs[k] = v
	}
	key := e.nameKey(d)
	if key == "" || placed {
		return out
	}
	v, given := out.Attrs[key]
	switch {
	case e.Type == "registry":
		out.Attrs[key] = withImageTag(v, name)
	case e.Type == "local":
		out.Attrs[key] = strings.TrimSuffix(v, "/") + "/" + name
	case given && v != "":
		out.Attrs[key] = v + "-" + name
	default:
		out.Attrs[key] = name
	}
	return out
}

// nameKey is the attribute that names e's cache, "" for inline.
func (e Entry) nameKey(d Direction) string {
	switch e.Type {
	case "registry":
		return "ref"
	case "local":
		return localKey(d)
	case "gha":
		return "scope"
	case "inline":
		return ""
	}
	return "name"
}

// withImageTag gives ref the tag name, or appends "-name" to its tag.
func withImageTag(ref, name string) string {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref + "-" + name
	}
	return ref + ":" + name
}

// Clone returns e with its own copy of Attrs (BuildKit's client writes into
// the attributes it is given).
func (e Entry) Clone() Entry {
	return Entry{Type: e.Type, Attrs: maps.Clone(e.Attrs)}
}

// String writes e back in buildx's syntax, keys sorted.
func (e Entry) String() string {
	parts := []string{"type=" + e.Type}
	for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
		parts = append(parts, k+"="+e.Attrs[k])
	}
	return strings.Join(parts, ",")
}

// Set is the cache one image imports and exports.
type Set struct {
	// Imports are read before the build (--cache-from).
	Imports []Entry
	// Exports are written after the image built and passed its checks
	// (--cache-to).
	Exports []Entry
}
