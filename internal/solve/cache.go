package solve

import (
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

// gatewayImports are the imports of set for a gateway solve request: a
// build that runs its own LLB through the gateway imports only what each
// of its solve requests names.
func gatewayImports(set buildcache.Set) []gateway.CacheOptionsEntry {
	var out []gateway.CacheOptionsEntry
	for _, e := range set.Imports {
		e = e.Clone()
		out = append(out, gateway.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs})
	}
	return out
}
