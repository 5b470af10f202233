package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/distribution/reference"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/wsbuild/wsbuild/internal/creds"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/ocilayout"
	"github.com/wsbuild/wsbuild/internal/publish"
)

// Export writes the selected images of the spec o names, as its first push
// target (o.Registry and o.Namespace over it) holds them, with their tags,
// to an OCI image layout at path: a tarball when path ends in .tar, else a
// folder. Every image must be the one the spec builds now (its input
// digest is the plan's), as for Promote. Nothing is built.
func (r *Runner) Export(ctx context.Context, o Options, path string) (_ []Promoted, err error) {
	ru, err := r.start(ctx, o, true)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, ru.close()) }()
	sources, err := ru.promotionSources(ctx, ru.plan)
	if err != nil {
		return nil, fmt.Errorf("nothing exported: %w", err)
	}
	images, err := ru.sourceImages(ctx, ru.plan, sources)
	if err != nil {
		return nil, fmt.Errorf("nothing exported: %w", err)
	}
	entries := make([]ocilayout.Entry, len(ru.plan.Nodes))
	out := make([]Promoted, len(ru.plan.Nodes))
	for i, n := range ru.plan.Nodes {
		entries[i] = ocilayout.Entry{Name: n.Name, Parent: parentName(n), Repository: n.Repository, Tag: n.Tag, Ref: n.Refs[0].Name, Image: images[i].image, Index: images[i].index}
		out[i] = Promoted{Name: n.Name, Digest: sources[i].Digest, InputDigest: sources[i].InputDigest,
			From: n.Refs[0].Name, Refs: []string{path}}
	}
	if err := ocilayout.Write(path, entries); err != nil {
		return nil, err
	}
	return out, nil
}

// Import pushes every image of the OCI layout at path (a folder or a
// tarball `wsbuild export` wrote) to o.Registry, under o.Namespace, with
// the repository and tags it was exported with, parents first. Manifests
// keep their bytes, so digests (and input-digest annotations) are those
// exported. It needs no spec: o's spec fields are not read. Every
// repository must accept a push before anything is sent, and tags move
// once every image is there, all or none.
func (r *Runner) Import(ctx context.Context, o Options, path string) (_ []Promoted, err error) {
	if o.Registry == "" {
		return nil, &InputError{errors.New("import needs --registry: where to push the layout's images")}
	}
	entries, done, err := ocilayout.Open(path)
	if err != nil {
		return nil, &InputError{err}
	}
	defer func() { err = errors.Join(err, done()) }()
	pub := r.publisher
	if pub == nil {
		kc := creds.New(o.Credentials, []string{o.Registry}).Keychain()
		if pub, err = publish.New(publish.WithKeychain(kc)); err != nil {
			return nil, err
		}
	}
	items, from, err := importItems(entries, o.Registry, o.Namespace, slices.Contains(o.AllowInsecure, o.Registry))
	if err != nil {
		return nil, &InputError{fmt.Errorf("%s: %w", path, err)}
	}
	pushed, err := copyImages(ctx, pub, items, "imported")
	if err != nil {
		return nil, err
	}
	out := make([]Promoted, len(pushed))
	for i, pu := range pushed {
		out[i] = Promoted{Name: pu.Name, Digest: pu.Digest, From: from[i], Refs: pu.Refs}
	}
	return out, nil
}

// importItems groups the entries of a layout by image, in the order they
// come (parents first, as Export writes them), each with a ref per tag
// under registry and namespace; from is where each was exported from. An
// entry whose repository or tag would make no valid reference under them
// (a path that leaves the namespace among them), or that names an image
// another entry named with other content, is an error.
func importItems(entries []ocilayout.Entry, registry, namespace string, insecure bool) (items []publish.Item, from []string, err error) {
	repoPrefix := strings.TrimSuffix(registry+"/"+namespace, "/") + "/"
	at := map[string]int{}
	digests := map[string]v1.Hash{}
	for i, e := range entries {
		d, err := entryDigest(e)
		if err != nil {
			return nil, nil, err
		}
		k, ok := at[e.Name]
		switch {
		case !ok:
			k = len(items)
			at[e.Name], digests[e.Name] = k, d
			items = append(items, publish.Item{Name: e.Name, Parent: e.Parent, Image: e.Image, Index: e.Index})
			from = append(from, e.Ref)
		case digests[e.Name] != d:
			return nil, nil, fmt.Errorf("index.json entry %d names image %q, which an earlier entry names with other content (%s, not %s)", i+1, e.Name, d, digests[e.Name])
		}
		repo := repoPrefix + e.Repository
		ref := oci.Ref{Name: repo + ":" + e.Tag, Repository: repo, Insecure: insecure}
		if err := checkImportRef(ref.Name); err != nil {
			return nil, nil, fmt.Errorf("index.json entry %d (image %q): %w", i+1, e.Name, err)
		}
		if !slices.Contains(items[k].Refs, ref) {
			items[k].Refs = append(items[k].Refs, ref)
		}
	}
	for i := range items {
		// A child's layers mount from its parent's repository when the
		// parent is pushed first; otherwise it sends its own.
		if p, ok := at[items[i].Parent]; !ok || p >= i {
			items[i].Parent = ""
		}
	}
	return items, from, nil
}

// checkImportRef accepts ref only when distribution's grammar reads it as
// written: a registry, a path of plain components (no "." or ".."), a tag.
func checkImportRef(ref string) error {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return fmt.Errorf("%q is not a valid image reference: %w", ref, err)
	}
	if _, tagged := named.(reference.Tagged); !tagged || named.String() != ref {
		return fmt.Errorf("%q is not a valid image reference (read as %q)", ref, named.String())
	}
	return nil
}

// entryDigest is the digest of what e's tag holds: its index, or its image.
func entryDigest(e ocilayout.Entry) (v1.Hash, error) {
	if e.Index != nil {
		return e.Index.Digest()
	}
	return e.Image.Digest()
}
