package spec

import "testing"

func TestParseCacheErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{name: "unknown cache word", yaml: base + "cache: s3\n",
			want: []string{`wsbuild.yaml:4: cache: unknown cache "s3" (want registry, false, or a mapping of tag and mode)`}},
		{name: "cache true", yaml: base + "cache: true\n",
			want: []string{`wsbuild.yaml:4: cache: expected registry, false, or a mapping of tag and mode, got true (write cache: registry)`}},
		{name: "cache list", yaml: base + "cache: [registry]\n",
			want: []string{`wsbuild.yaml:4: cache: expected registry, false, or a mapping of tag and mode, got a list`}},
		{name: "bad cache mode", yaml: base + "cache:\n  mode: all\n",
			want: []string{`wsbuild.yaml:5: cache.mode: unknown cache mode "all" (want max or min)`}},
		{name: "bad cache tag", yaml: base + "cache: {tag: \"-{tag}\"}\n",
			want: []string{`wsbuild.yaml:4: cache.tag: invalid cache tag "-{tag}": use letters, digits, "_", "." and "-", and {tag} or {image}, not starting with "." or "-"`}},
		{name: "unknown cache key", yaml: base + "cache: {ref: x}\n",
			want: []string{`wsbuild.yaml:4: cache.ref: unknown field "ref" (known: tag, mode)`}},
		{name: "image cache word", yaml: base + "    cache: yes-please\n",
			want: []string{`wsbuild.yaml:4: images.x.cache: unknown cache "yes-please" (want registry, false, or a mapping of tag and mode)`}},
	})
}

func TestParseCache(t *testing.T) {
	f, err := Parse("wsbuild.yaml", []byte(base+"    cache: false\n  y:\n    from: x\n    cache: {tag: \"{tag}-c\", mode: min}\n  z:\n    from: x\ncache: registry\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Cache == nil || f.Cache.CacheTag() != DefaultCacheTag || f.Cache.CacheMode() != "max" {
		t.Errorf("family cache %+v, want registry with the defaults", f.Cache)
	}
	if c := f.CacheOf(f.Images["x"]); c != nil {
		t.Errorf("x has cache: false, got %+v", c)
	}
	if c := f.CacheOf(f.Images["y"]); c == nil || c.CacheTag() != "{tag}-c" || c.CacheMode() != "min" {
		t.Errorf("y's own cache %+v, want tag {tag}-c, mode min", c)
	}
	if c := f.CacheOf(f.Images["z"]); c != f.Cache {
		t.Errorf("z inherits the family's cache, got %+v", c)
	}
}
