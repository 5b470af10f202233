package ocilayout

import (
	"encoding/json"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/wsbuild/wsbuild/internal/attest"
)

// TestRoundTripIndex writes an image whose tag holds an index of it and
// its attestations, and reads back the same index (same digest) with the
// image in it.
func TestRoundTripIndex(t *testing.T) {
	entries := family(t)
	idx, err := attest.Attach(entries[0].Image, v1.Platform{OS: "linux", Architecture: "amd64"}, []string{entries[0].Ref},
		[]attest.Predicate{{Type: attest.PredicateSLSA1, Body: json.RawMessage(`{"x":1}`)}})
	if err != nil {
		t.Fatal(err)
	}
	entries[0].Index = idx
	path := filepath.Join(t.TempDir(), "family.tar")
	if err := Write(path, entries); err != nil {
		t.Fatal(err)
	}
	got, done, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if len(got) != len(entries) || got[0].Index == nil || got[1].Index != nil {
		t.Fatalf("read %d entries, the first with index %v, the second %v", len(got), got[0].Index, got[1].Index)
	}
	want, _ := idx.Digest()
	if d, _ := got[0].Index.Digest(); d != want {
		t.Errorf("index digest %s, want %s", d, want)
	}
	if digestOf(t, got[0].Image) != digestOf(t, entries[0].Image) {
		t.Errorf("the image in the index is not the one written")
	}
}
