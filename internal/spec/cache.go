package spec

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DefaultCacheTag is the tag of the registry cache that cache: registry
// gives an image, in its push repository: the image's tag followed by
// "-buildcache" ({tag} stands for the image's tag, {image} for its name).
const DefaultCacheTag = "{tag}-buildcache"

// Cache is a cache: entry, at family level (every image's default) or on one
// image: cache: registry, cache: {tag: NAME, mode: max|min} or cache: false.
type Cache struct {
	// Off is cache: false: the image neither imports nor exports the
	// spec's cache.
	Off bool `json:"off,omitempty"`
	// Tag is the cache's tag in the image's push repository, with {tag} and
	// {image} placeholders; "" means DefaultCacheTag.
	Tag string `json:"tag,omitempty"`
	// Mode is max (every step's result, the default) or min (only the
	// image's own layers).
	Mode string `json:"mode,omitempty"`
}

// CacheTag is c's tag template, DefaultCacheTag when not set.
func (c Cache) CacheTag() string {
	if c.Tag == "" {
		return DefaultCacheTag
	}
	return c.Tag
}

// CacheMode is c's mode, max when not set.
func (c Cache) CacheMode() string {
	if c.Mode == "" {
		return "max"
	}
	return c.Mode
}

// cacheTagPlaceholders stand in for {tag} and {image} when a cache tag
// template is checked.
var cacheTagPlaceholders = strings.NewReplacer("{tag}", "latest", "{image}", "image")

// checkCacheTag checks a cache tag template: with its placeholders filled
// in, it must be a valid tag.
func checkCacheTag(s string) (string, error) {
	if _, err := checkTag(cacheTagPlaceholders.Replace(s)); err != nil {
		return s, fmt.Errorf(`invalid cache tag %q: use letters, digits, "_", "." and "-", and {tag} or {image}, not starting with "." or "-"`, s)
	}
	return s, nil
}

// cache decodes cache: registry, cache: false, or a mapping of tag and
// mode; null leaves it unset.
func (d *decoder) cache(f field) *Cache {
	const expected = "registry, false, or a mapping of tag and mode"
	if isNull(f.val) {
		return nil
	}
	if b, ok := isBool(f.val); ok {
		if b {
			d.fail(f, "expected %s, got true (write cache: registry)", expected)
			return nil
		}
		return &Cache{Off: true}
	}
	if f.val.Kind == yaml.ScalarNode {
		if s := d.str(f, nil); s != "registry" {
			d.fail(f, "unknown cache %q (want %s)", s, expected)
			return nil
		}
		return &Cache{}
	}
	c := &Cache{}
	for _, e := range d.mapping(f, expected, []string{"tag", "mode"}) {
		switch e.name {
		case "tag":
			c.Tag = d.str(e, checkCacheTag)
		case "mode":
			c.Mode = d.str(e, func(s string) (string, error) {
				if s != "max" && s != "min" {
					return s, fmt.Errorf("unknown cache mode %q (want max or min)", s)
				}
				return s, nil
			})
		}
	}
	return c
}

// CacheOf is the cache: entry that applies to img: its own, else the
// family's; nil when neither is set or the image's is cache: false.
func (f *Family) CacheOf(img *Image) *Cache {
	c := f.Cache
	if img.Cache != nil {
		c = img.Cache
	}
	if c == nil || c.Off {
		return nil
	}
	return c
}
