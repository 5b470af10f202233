package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/wsbuild/wsbuild/internal/buildcache"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// hasCacheImport says whether the image called name imports cache: from
// --cache-from or from its spec's cache: (its own or an ancestor's). A
// child of a skipped image may then keep the image's LLB, whose steps the
// import can give back on a builder that never ran them.
func (ru *run) hasCacheImport(name string) bool {
	return len(ru.caches[name].Imports) > 0
}

// cacheSets is the cache every image of p imports and exports, by name:
// the --cache-to entries (to) for each image (see buildcache.Entry.ForImage),
// else the registry cache its spec's cache: derives from its first push
// target; the --cache-from entries (from), else the same derived cache.
// An image imports its ancestors' caches too, after its own. Flags override
// the spec, direction by direction. A registry cache on a plain-HTTP push
// target's registry is reached over plain HTTP. Exporting cache never moves
// a tag: an export to any image's push reference, or two images exporting
// to one reference, is an error.
func cacheSets(p *plan.Plan, to, from []buildcache.Entry, push bool) (map[string]buildcache.Set, error) {
	own := map[*plan.Node][]buildcache.Entry{}
	sets := map[string]buildcache.Set{}
	for _, n := range p.Nodes {
		derived, err := derivedCache(p.Family, n)
		if err != nil {
			return nil, err
		}
		var set buildcache.Set
		// The spec's cache is written only by runs that push: a build on a
		// laptop reads the cache CI keeps, and leaves it as it is.
		exported := derived
		if !push {
			exported = nil
		}
		set.Exports = perImage(buildcache.Export, to, exported, n)
		own[n] = perImage(buildcache.Import, from, derived, n)
		for a := n; a != nil; a = a.Parent {
			for _, e := range own[a] {
				if !slices.ContainsFunc(set.Imports, func(x buildcache.Entry) bool { return x.String() == e.String() }) {
					set.Imports = append(set.Imports, e)
				}
			}
		}
		sets[n.Name] = set
	}
	insecure := insecureHosts(p)
	for _, set := range sets {
		for _, e := range slices.Concat(set.Imports, set.Exports) {
			markInsecure(e, insecure)
		}
	}
	return sets, checkCacheExports(p, sets)
}

// derivedCache is the registry cache n's spec's cache: gives it, as an
// export entry, or nil for none.
func derivedCache(f *spec.Family, n *plan.Node) (*buildcache.Entry, error) {
	c := f.CacheOf(n.Spec)
	if c == nil {
		return nil, nil
	}
	if len(n.Refs) == 0 {
		return nil, fmt.Errorf("%s: image %q has cache: %s but the spec has no push: target to keep the cache in", f.File, n.Name, cacheWord(c))
	}
	tag := strings.NewReplacer(buildcache.TagPlaceholder, n.Tag, buildcache.ImagePlaceholder, strings.ReplaceAll(n.Name, ":", "-")).Replace(c.CacheTag())
	e := buildcache.Entry{Type: "registry", Attrs: map[string]string{"ref": n.Refs[0].Repository + ":" + tag, "mode": c.CacheMode()}}
	return &e, nil
}

func cacheWord(c *spec.Cache) string {
	if c.Tag == "" && c.Mode == "" {
		return "registry"
	}
	return fmt.Sprintf("{tag: %s, mode: %s}", c.CacheTag(), c.CacheMode())
}

// perImage is the entries of direction d for n: flags, when given, made
// n's own, else the derived entry (without its mode, to import).
func perImage(d buildcache.Direction, flags []buildcache.Entry, derived *buildcache.Entry, n *plan.Node) []buildcache.Entry {
	if len(flags) > 0 {
		var ref string
		if len(n.Refs) > 0 {
			ref = n.Refs[0].Name
		}
		out := make([]buildcache.Entry, len(flags))
		for i, e := range flags {
			out[i] = e.ForImage(d, n.Name, n.Tag, ref)
		}
		return out
	}
	if derived == nil {
		return nil
	}
	e := derived.Clone()
	if d == buildcache.Import {
		delete(e.Attrs, "mode")
	}
	return []buildcache.Entry{e}
}

// insecureHosts are the registries p pushes to over plain HTTP.
func insecureHosts(p *plan.Plan) map[string]bool {
	out := map[string]bool{}
	for _, n := range p.Nodes {
		for _, r := range n.Refs {
			if r.Insecure {
				out[strings.SplitN(r.Name, "/", 2)[0]] = true
			}
		}
	}
	return out
}

// markInsecure lets buildkitd reach a registry cache over plain HTTP when
// its registry is one of insecure and the entry does not say otherwise.
func markInsecure(e buildcache.Entry, insecure map[string]bool) {
	const key = "registry.insecure"
	if e.Type != "registry" {
		return
	}
	if _, set := e.Attrs[key]; !set && insecure[strings.SplitN(e.Attrs["ref"], "/", 2)[0]] {
		e.Attrs[key] = "true"
	}
}

// checkCacheExports refuses registry cache exports that would move a tag:
// to a reference some image of p is pushed to, or to one another image
// exports cache to too.
func checkCacheExports(p *plan.Plan, sets map[string]buildcache.Set) error {
	pushed := map[string]string{} // normalised push reference -> image
	for _, n := range p.Nodes {
		for _, r := range n.Refs {
			if ref, err := name.ParseReference(r.Name); err == nil {
				pushed[ref.Name()] = n.Name
			}
		}
	}
	exported := map[string]string{}
	for _, n := range p.Nodes {
		for _, e := range sets[n.Name].Exports {
			if e.Type != "registry" {
				continue
			}
			ref, err := name.ParseReference(e.Attrs["ref"])
			if err != nil {
				return fmt.Errorf("image %q: cache reference %q is not a valid image reference: %w", n.Name, e.Attrs["ref"], err)
			}
			if img, ok := pushed[ref.Name()]; ok {
				return fmt.Errorf("image %q: exporting cache to %q would move the tag image %q is pushed to; give the cache another tag or repository", n.Name, e.Attrs["ref"], img)
			}
			if other, ok := exported[ref.Name()]; ok {
				return fmt.Errorf("images %q and %q would both export cache to %q; put {image} or {tag} in the cache reference", other, n.Name, e.Attrs["ref"])
			}
			exported[ref.Name()] = n.Name
		}
	}
	return nil
}
