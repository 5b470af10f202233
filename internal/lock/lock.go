// Package lock reads and writes wsbuild's lock file, which pins every
// external base image of a spec to the digest it resolved to when
// `wsbuild lock` ran. Builds and plans read the lock instead of resolving
// the bases again, so a build is reproducible, keeps working when a base's
// tag moves, and a plan needs no daemon.
package lock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
)

// Version is the lock file format this package writes and reads.
const Version = 1

// File is a lock file's content.
type File struct {
	// Version is the format version, Version.
	Version int `json:"version"`
	// Bases holds one entry per base reference and platform, sorted.
	Bases []Base `json:"bases"`
}

// Base is one external base image, pinned.
type Base struct {
	// Ref is the reference as the spec writes it, such as "debian:bookworm".
	Ref string `json:"ref"`
	// Platform is the platform it was resolved for, such as "linux/amd64".
	Platform string `json:"platform"`
	// Digest is the manifest digest Ref resolved to for Platform.
	Digest digest.Digest `json:"digest"`
	// Pinned is the normalised reference with Digest, what builds pull.
	Pinned string `json:"pinned"`
}

// PathFor is the lock file of the spec at specFile: the same name with the
// extension ".lock" (wsbuild.yaml → wsbuild.lock).
func PathFor(specFile string) string {
	return strings.TrimSuffix(specFile, filepath.Ext(specFile)) + ".lock"
}

// Parse decodes a lock file read from name (used in errors).
func Parse(name string, data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: not a wsbuild lock file: %w", name, err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("%s: lock file version %d, this wsbuild reads version %d; run wsbuild lock again", name, f.Version, Version)
	}
	for i, b := range f.Bases {
		if err := b.Digest.Validate(); err != nil || b.Ref == "" || b.Platform == "" || b.Pinned == "" {
			return nil, fmt.Errorf("%s: bases[%d] (%q): needs ref, platform, a valid digest and pinned", name, i, b.Ref)
		}
	}
	return &f, nil
}

// Marshal encodes f with its bases sorted, so equal locks are equal bytes.
func (f *File) Marshal() ([]byte, error) {
	out := File{Version: Version, Bases: slices.Clone(f.Bases)}
	slices.SortFunc(out.Bases, func(a, b Base) int {
		return strings.Compare(a.Ref+"\x00"+a.Platform, b.Ref+"\x00"+b.Platform)
	})
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Find returns the entry for ref on platform.
func (f *File) Find(ref, platform string) (Base, bool) {
	for _, b := range f.Bases {
		if b.Ref == ref && b.Platform == platform {
			return b, true
		}
	}
	return Base{}, false
}

// Pins returns the entry of every ref on platform, keyed by ref; name (the
// lock file's path) and every ref it lacks are named in the error.
func (f *File) Pins(name string, refs []string, platform string) (map[string]Base, error) {
	out := map[string]Base{}
	var missing []string
	for _, r := range refs {
		b, ok := f.Find(r, platform)
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", r))
			continue
		}
		out[r] = b
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s does not pin base %s for %s; run wsbuild lock", name, strings.Join(missing, ", "), platform)
	}
	return out, nil
}
