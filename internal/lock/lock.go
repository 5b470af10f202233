// Package lock reads and writes wsbuild's lock file, which pins every
// external base image of a spec to the digest it resolved to when
// `wsbuild lock` ran. Builds and plans read the lock instead of resolving
// the bases again, so a build is reproducible, keeps working when a base's
// tag moves, and a plan needs no daemon.
package lock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/distribution/reference"

	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// Version is the lock file format this package writes and reads.
const Version = 1

// File is a lock file's content.
type File struct {
	// Version is the format version, Version.
	Version int `json:"version"`
	// Bases holds one entry per base reference and platform, sorted.
	Bases []Entry `json:"bases"`
}

// Entry is one line of the lock file: an external base image as the spec
// names it, on one platform, and what it resolved to.
type Entry struct {
	// Ref is the reference as the spec writes it, such as "debian:bookworm".
	Ref string
	// Platform is the platform it was resolved for, such as "linux/amd64".
	Platform string
	// Base is what Ref resolved to for Platform: Base.Ref is the normalised
	// reference with Base.Digest, what builds pull. The lock file does not
	// keep Base.Config.
	Base oci.Base
}

// entryJSON is an Entry as the lock file spells it.
type entryJSON struct {
	Ref      string        `json:"ref"`
	Platform string        `json:"platform"`
	Digest   digest.Digest `json:"digest"`
	Pinned   string        `json:"pinned"`
}

// MarshalJSON writes e as the lock file spells it.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(entryJSON{Ref: e.Ref, Platform: e.Platform, Digest: e.Base.Digest, Pinned: e.Base.Ref})
}

// UnmarshalJSON reads e as the lock file spells it; unknown keys are errors.
func (e *Entry) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j entryJSON
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*e = Entry{Ref: j.Ref, Platform: j.Platform, Base: oci.Base{Ref: j.Pinned, Digest: j.Digest}}
	return nil
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
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: not a wsbuild lock file: more follows its JSON object", name)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("%s: lock file version %d, this wsbuild reads version %d; run wsbuild lock again", name, f.Version, Version)
	}
	for i, b := range f.Bases {
		if err := b.Base.Digest.Validate(); err != nil || b.Ref == "" || b.Platform == "" || b.Base.Ref == "" {
			return nil, fmt.Errorf("%s: bases[%d] (%q): needs ref, platform, a valid digest and pinned", name, i, b.Ref)
		}
		if _, d, _ := strings.Cut(b.Base.Ref, "@"); d != b.Base.Digest.String() {
			// Builds pull pinned; change-aware skips trust digest.
			return nil, fmt.Errorf("%s: bases[%d] (%q): pinned %q is not pinned to digest %s; run wsbuild lock again", name, i, b.Ref, b.Base.Ref, b.Base.Digest)
		}
		if err := checkPinned(b.Base.Ref); err != nil {
			return nil, fmt.Errorf("%s: bases[%d] (%q): pinned %q: %v", name, i, b.Ref, b.Base.Ref, err)
		}
	}
	return &f, nil
}

// checkPinned parses a pinned reference: a registry image's, or a base's
// in an OCI layout (oci-layout:PATH[:TAG]@DIGEST).
func checkPinned(ref string) error {
	if oci.IsLayoutBase(ref) {
		p, _, _, err := oci.ParseLayoutBase(ref)
		if err != nil {
			return err
		}
		return oci.CheckLayoutPath(p)
	}
	_, err := reference.ParseNormalizedNamed(ref)
	return err
}

// Marshal encodes f with its bases sorted, so equal locks are equal bytes.
func (f *File) Marshal() ([]byte, error) {
	out := File{Version: Version, Bases: slices.Clone(f.Bases)}
	slices.SortFunc(out.Bases, func(a, b Entry) int {
		return strings.Compare(a.Ref+"\x00"+a.Platform, b.Ref+"\x00"+b.Platform)
	})
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Find returns the entry for ref on platform.
func (f *File) Find(ref, platform string) (Entry, bool) {
	for _, b := range f.Bases {
		if b.Ref == ref && b.Platform == platform {
			return b, true
		}
	}
	return Entry{}, false
}

// Pins returns what every ref resolved to on platform, keyed by ref (without
// configs); name (the lock file's path) and every ref it lacks are named in
// the error.
func (f *File) Pins(name string, refs []string, platform string) (map[string]oci.Base, error) {
	out := map[string]oci.Base{}
	var missing []string
	for _, r := range refs {
		b, ok := f.Find(r, platform)
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", r))
			continue
		}
		out[r] = b.Base
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s does not pin base %s for %s; run wsbuild lock", name, strings.Join(missing, ", "), platform)
	}
	return out, nil
}
