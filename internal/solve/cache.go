package solve

import (
	"maps"

	bkclient "github.com/moby/buildkit/client"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/wsbuild/wsbuild/internal/buildcache"
)

// WithCache sets the cache each image imports and exports, by image name.
// Imports are read before the image's steps are solved; exports are written
// only when the image built and passed its checks. Default: none.
func WithCache(sets map[string]buildcache.Set) Option {
	return func(o *options) error { o.cache = sets; return nil }
}

// cacheOpt adds the cache of set to opt. BuildKit's client writes into the
// entries' attributes, so each solve gets its own copies. FrontendAttrs is
// made non-nil: with cache imports, the client copies its own attributes
// into it.
func cacheOpt(opt *bkclient.SolveOpt, set buildcache.Set) {
	if opt.FrontendAttrs == nil {
		opt.FrontendAttrs = map[string]string{}
	}
	for _, e := range set.Exports {
		e = e.Clone()
		opt.CacheExports = append(opt.CacheExports, bkclient.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs})
	}
	for _, e := range set.Imports {
		e = e.Clone()
		opt.CacheImports = append(opt.CacheImports, bkclient.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs})
	}
}

// gatewayImports are the imports of opt for the gateway solve request: a
// build that runs its own LLB through the gateway imports only what each
// of its solve requests names. Called from the build function, after
// BuildKit's client has read opt: it has then given every local import
// the digest of the cache its folder's index holds, which the daemon needs;
// a local import without one (its folder holds no cache yet) is left out.
func gatewayImports(opt *bkclient.SolveOpt) []gateway.CacheOptionsEntry {
	var out []gateway.CacheOptionsEntry
	for _, e := range opt.CacheImports {
		if e.Type == "local" && e.Attrs["digest"] == "" {
			continue
		}
		out = append(out, gateway.CacheOptionsEntry{Type: e.Type, Attrs: maps.Clone(e.Attrs)})
	}
	return out
}
