package ocilayout

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestResolveBase resolves bases from a layout of three tags of two
// images: by tag, by the digest a lock file pins, from a tarball, and
// refuses an ambiguous or unknown name and a layout outside the folder.
func TestResolveBase(t *testing.T) {
	dir := t.TempDir()
	entries := family(t)
	if err := Write(filepath.Join(dir, "layout"), entries); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "layout.tar"), entries); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "elsewhere")
	if err := Write(outside, entries); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	amd64 := ocispec.Platform{OS: "linux", Architecture: "amd64"}
	parent, child := digestOf(t, entries[0].Image).String(), digestOf(t, entries[1].Image).String()
	for _, tc := range []struct{ ref, want, err string }{
		{ref: "oci-layout:layout:tool:1", want: parent},
		{ref: "oci-layout:layout:leaf:latest", want: child},
		{ref: "oci-layout:layout.tar:leaf:latest", want: child},
		{ref: "oci-layout:layout:tool:1@" + parent, want: parent},
		{ref: "oci-layout:layout", err: "lists 2 images (tool:1, leaf:1, leaf:latest)"},
		{ref: "oci-layout:layout:tool:2", err: `no image tagged "tool:2"`},
		{ref: "oci-layout:layout:leaf:latest@" + parent, err: "no longer holds"},
		{ref: "oci-layout:missing.tar", err: "no such file"},
		{ref: "oci-layout:../layout:leaf:latest", err: "must be next to the spec"},
		{ref: "oci-layout:link:leaf:latest", err: "leads out of the spec's folder"},
	} {
		b, done, err := ResolveBase(dir, tc.ref, amd64)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.ref, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.ref, err)
			continue
		}
		if b.Digest.String() != tc.want || !strings.HasSuffix(b.Ref, "@"+tc.want) || len(b.Config) == 0 || b.Layout == "" {
			t.Errorf("%s: %+v, want digest %s with its config and folder", tc.ref, b, tc.want)
		}
		if err := done(); err != nil {
			t.Error(err)
		}
	}
}
