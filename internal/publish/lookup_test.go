package publish

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/wsbuild/wsbuild/internal/oci"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// Lookup reads back the input digest, the inputs and their values; a
// malformed values annotation only loses the values.
func TestLookupReadsInputValues(t *testing.T) {
	r := rig.ForTest(t)
	apt := json.RawMessage(`["git","python3-tqdm"]`)
	inputs, _ := json.Marshal(map[string]digest.Digest{"apt": digest.FromBytes(apt)})
	tests := []struct {
		name, values string
		want         string // Found.Values as JSON
	}{
		{"values", `{"apt":["git","python3-tqdm"]}`, `{"apt":["git","python3-tqdm"]}`},
		{"malformed values", `{"apt":`, `null`},
		{"no values", "", `null`},
	}
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := random.Image(512, 1)
			if err != nil {
				t.Fatal(err)
			}
			anns := map[string]string{oci.AnnotationInputDigest: "sha256:" + string(rune('a'+i)), oci.AnnotationInputs: string(inputs)}
			if tt.values != "" {
				anns[oci.AnnotationInputValues] = tt.values
			}
			ref := r.Registry + "/lookup/img:" + string(rune('a'+i))
			tag, err := name.NewTag(ref, name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			img = mutate.Annotations(img, anns).(v1.Image)
			if err := remote.Write(tag, img); err != nil {
				t.Fatal(err)
			}
			found, err := p.Lookup(context.Background(), []oci.Ref{{Name: ref, Insecure: true}}, v1.Platform{OS: "linux", Architecture: "amd64"})
			if err != nil {
				t.Fatal(err)
			}
			f := found[0]
			got, _ := json.Marshal(f.Values)
			if !f.Exists || string(got) != tt.want || f.Inputs["apt"] != digest.FromBytes(apt) {
				t.Errorf("found %+v, values %s, want %s", f, got, tt.want)
			}
			assertDescribes(t, f, img)
		})
	}
}

// assertDescribes fails unless f describes img's manifest: its digest,
// media type, size and config digest.
func assertDescribes(t *testing.T, f Found, img v1.Image) {
	t.Helper()
	d, _ := img.Digest()
	mt, _ := img.MediaType()
	size, _ := img.Size()
	config, _ := img.ConfigName()
	if f.Digest != d || f.MediaType != mt || f.Size != size || f.Config != config {
		t.Errorf("found %s %s %d config %s, want %s %s %d config %s", f.Digest, f.MediaType, f.Size, f.Config, d, mt, size, config)
	}
}
