package plan

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"sort"

	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/localfs"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// digestInput is everything an image's content depends on, in a canonical
// form: equal inputs marshal to equal bytes.
type digestInput struct {
	Version      string        `json:"version"`
	Platform     string        `json:"platform"`
	Name         string        `json:"name"`
	Repository   string        `json:"repository,omitempty"`
	Axes         []spec.Axis   `json:"axes,omitempty"`
	Parent       digest.Digest `json:"parent,omitempty"`
	Base         string        `json:"base,omitempty"`
	BaseDigest   digest.Digest `json:"baseDigest,omitempty"`
	User         spec.User     `json:"user"`
	Env          []EnvVar      `json:"env,omitempty"`
	Workdir      string        `json:"workdir"`
	Volumes      []string      `json:"volumes,omitempty"`
	Apt          []string      `json:"apt,omitempty"`
	Pip          []string      `json:"pip,omitempty"`
	Requirements digest.Digest `json:"requirements,omitempty"`
	// PipIndex holds the index's URL, user and secret id, never the
	// secret's value: a new token rebuilds nothing.
	PipIndex *spec.PipIndex `json:"pipIndex,omitempty"`
	// AptSources hold each source's address, key and secret id, never the
	// secret's value.
	AptSources []spec.AptSource         `json:"aptSources,omitempty"`
	Ports      []string                 `json:"ports,omitempty"`
	Run        []string                 `json:"run,omitempty"`
	Copy       []spec.Copy              `json:"copy,omitempty"`
	Files      map[string]digest.Digest `json:"files,omitempty"`
	Labels     map[string]string        `json:"labels,omitempty"`
	Tag        string                   `json:"tag"`
	OS         string                   `json:"os,omitempty"`
	Tests      []string                 `json:"tests,omitempty"`
	// SourceDateEpoch is nil when unset, so digests without one stay as they were.
	SourceDateEpoch *int64 `json:"sourceDateEpoch,omitempty"`
	// Compression is nil for the default (gzip), so digests stay as they were.
	Compression *spec.Compression `json:"compression,omitempty"`
}

// inputDigest is the digest of n's name, repository and axis values, its
// normalised spec, its parent's input digest, its base and the base's digest,
// the content of the files it copies or reads, the template version and the
// source date epoch and the layers' compression. It changes exactly when the image's content may change.
// It also returns the digest of each named input (see Node.Inputs) and its
// canonical JSON (see Node.Values), so a later run can say what changed.
func inputDigest(n *Node, version, platform string, epoch *int64, compression spec.Compression) (digest.Digest, map[string]digest.Digest, map[string]json.RawMessage, error) {
	s := n.Spec
	in := digestInput{
		Version: version, Platform: platform, Name: n.Name, Axes: n.Axes, User: n.User, Env: n.Env,
		Workdir: n.Workdir, Volumes: n.Volumes, Apt: s.Apt, Pip: s.Pip, Ports: s.Ports,
		Run: s.Run, Copy: s.Copy, Files: n.Files, Labels: s.Labels, Tag: n.Tag,
		Tests:           n.Tests,
		SourceDateEpoch: epoch,
		PipIndex:        s.PipIndex,
		AptSources:      s.AptSources,
	}
	if !compression.IsDefault() {
		in.Compression = &compression
	}
	if n.Repository != n.Name {
		in.Repository = n.Repository
	}
	if n.OS != nil {
		in.OS = n.OS.Name
	}
	if n.Parent != nil {
		in.Parent = n.Parent.InputDigest
	} else {
		in.Base, in.BaseDigest = n.Base, n.BaseDigest
	}
	if s.Requirements != "" {
		in.Requirements = requirementsDigest(s)
	}
	b, err := canonical(in, n.Features)
	if err != nil {
		return "", nil, nil, fmt.Errorf("digesting image %q: %w", n.Name, err)
	}
	inputs, values, err := namedInputs(b)
	if err != nil {
		return "", nil, nil, fmt.Errorf("digesting image %q: %w", n.Name, err)
	}
	return digest.FromBytes(b), inputs, values, nil
}

// canonical marshals in with the settings of every feature as fields of
// their own, named by the feature's key, so that a feature's settings reach
// the input digest, and the named inputs, without a field here.
func canonical(in digestInput, features map[string]feature.Settings) ([]byte, error) {
	b, err := json.Marshal(in)
	if err != nil || len(features) == 0 {
		return b, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	for k, s := range features {
		if _, clash := fields[k]; clash {
			return nil, fmt.Errorf("feature %q has the name of a spec field", k)
		}
		if fields[k], err = json.Marshal(s); err != nil {
			return nil, fmt.Errorf("feature %q: %w", k, err)
		}
	}
	return json.Marshal(fields)
}

// FileInput is the prefix of the named input that is one copied source's
// content: FileInput + the source as the spec writes it.
const FileInput = "file "

// namedInputs splits the canonical JSON of a digestInput into its fields and
// digests each one; every copied source is its own input (FileInput+src).
// It also returns each field's canonical JSON, but for "files": a copied
// source is known by its digest only.
func namedInputs(canonical []byte) (map[string]digest.Digest, map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(canonical, &fields); err != nil {
		return nil, nil, err
	}
	out := make(map[string]digest.Digest, len(fields))
	for k, raw := range fields {
		if k != "files" {
			out[k] = digest.FromBytes(raw)
			continue
		}
		var files map[string]digest.Digest
		if err := json.Unmarshal(raw, &files); err != nil {
			return nil, nil, err
		}
		for src, d := range files {
			out[FileInput+src] = d
		}
	}
	delete(fields, "files")
	return out, fields, nil
}

// hashCopies digests every copy source of img as the build receives it:
// the links on its way (each as a link), then, for a folder, the sorted
// paths, modes and contents of everything below it, links below it as
// links (BuildKit's copy follows only the source's own links). It also
// returns the paths the build context sends for each source.
func hashCopies(f *spec.Family, img *spec.Image, fsys fs.FS) (map[string]digest.Digest, map[string][]string, error) {
	if len(img.Copy) == 0 {
		return nil, nil, nil
	}
	if fsys == nil {
		return nil, nil, fmt.Errorf("%s: no build context folder was given", locate(f, img, "copy"))
	}
	out, sent := map[string]digest.Digest{}, map[string][]string{}
	for i, c := range img.Copy {
		at := locate(f, img, fmt.Sprintf("copy.%d.src", i))
		r, err := localfs.Resolve(fsys, c.Src)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", at, err)
		}
		d, err := hashResolved(fsys, r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: reading %q: %w", at, c.Src, err)
		}
		out[c.Src], sent[c.Src] = d, r.Sent()
	}
	return out, sent, nil
}

// hashResolved digests r's links and then its tree; with no link on the
// way it is the digest of the tree alone, as before links were followed.
func hashResolved(fsys fs.FS, r localfs.Resolved) (digest.Digest, error) {
	tree, err := hashTree(fsys, r.Path)
	if err != nil || len(r.Links) == 0 {
		return tree, err
	}
	h := sha256.New()
	for _, l := range r.Links {
		if err := hashEntry(h, fsys, l); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(h, "%s\x00", tree)
	return digest.NewDigest(digest.SHA256, h), nil
}

// requirementsDigest digests the requirements file; with includes or links
// on its way, every one of them (path, link target, content) too.
func requirementsDigest(s *spec.Image) digest.Digest {
	if len(s.RequirementsIncludes) == 0 {
		return digest.FromBytes(s.RequirementsData)
	}
	h := sha256.New()
	h.Write(s.RequirementsData)
	for _, e := range s.RequirementsIncludes {
		fmt.Fprintf(h, "\x00%s\x00%s\x00%d\x00", e.Path, e.Link, len(e.Data))
		h.Write(e.Data)
	}
	return digest.NewDigest(digest.SHA256, h)
}

func hashTree(fsys fs.FS, root string) (digest.Digest, error) {
	h := sha256.New()
	var paths []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := hashEntry(h, fsys, p); err != nil {
			return "", err
		}
	}
	return digest.NewDigest(digest.SHA256, h), nil
}

// hashEntry writes one path's name, mode and content (a symlink's target,
// not what it points to) to h.
func hashEntry(h io.Writer, fsys fs.FS, p string) error {
	info, err := lstat(fsys, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "%s\x00%o\x00", p, info.Mode())
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := fs.ReadLink(fsys, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00", target)
	case info.Mode().IsRegular():
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		fmt.Fprintf(h, "\x00%d\x00", info.Size())
	}
	return nil
}

// lstat describes p without following a final symlink when fsys can.
func lstat(fsys fs.FS, p string) (fs.FileInfo, error) {
	if l, ok := fsys.(fs.ReadLinkFS); ok {
		return l.Lstat(p)
	}
	return fs.Stat(fsys, p)
}
