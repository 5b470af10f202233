package solve

import (
	"testing"

	bkclient "github.com/moby/buildkit/client"
	"github.com/wsbuild/wsbuild/internal/buildcache"
)

// TestCacheOpt: the solve gets copies of the entries (BuildKit's client
// writes into them), a non-nil FrontendAttrs (it copies its own into it),
// and the gateway request the same imports.
func TestCacheOpt(t *testing.T) {
	set := buildcache.Set{
		Imports: []buildcache.Entry{{Type: "local", Attrs: map[string]string{"src": "/c/a"}}},
		Exports: []buildcache.Entry{{Type: "registry", Attrs: map[string]string{"ref": "r/c:a", "mode": "max"}}},
	}
	var opt bkclient.SolveOpt
	cacheOpt(&opt, set)
	if opt.FrontendAttrs == nil {
		t.Error("FrontendAttrs is nil")
	}
	if len(opt.CacheExports) != 1 || opt.CacheExports[0].Type != "registry" || opt.CacheExports[0].Attrs["mode"] != "max" {
		t.Errorf("exports %+v", opt.CacheExports)
	}
	if len(opt.CacheImports) != 1 || opt.CacheImports[0].Attrs["src"] != "/c/a" {
		t.Errorf("imports %+v", opt.CacheImports)
	}
	opt.CacheImports[0].Attrs["digest"] = "sha256:x"
	if _, ok := set.Imports[0].Attrs["digest"]; ok {
		t.Error("the solve's import shares its attributes with the set")
	}
	// BuildKit's client gives a local import with cache the digest.
	if gw := gatewayImports(&opt); len(gw) != 1 || gw[0].Type != "local" || gw[0].Attrs["digest"] != "sha256:x" {
		t.Errorf("gateway imports %+v, want the local import with its digest", gw)
	}
	delete(opt.CacheImports[0].Attrs, "digest")
	if gw := gatewayImports(&opt); len(gw) != 0 {
		t.Errorf("gateway imports %+v, want none: the local folder holds no cache", gw)
	}
	var none bkclient.SolveOpt
	cacheOpt(&none, buildcache.Set{})
	if none.CacheExports != nil || none.CacheImports != nil || gatewayImports(&none) != nil {
		t.Error("an empty set added cache entries")
	}
}
