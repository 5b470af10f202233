package resolve

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// These tests run against go-containerregistry's in-memory registry and run
// under -short; rig_test.go checks against the real registry and buildkitd.

var (
	amd64 = ocispec.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = ocispec.Platform{OS: "linux", Architecture: "arm64"}
)

// memRegistry starts an in-memory registry on loopback and returns its host.
func memRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// push writes img (a v1.Image or v1.ImageIndex) as ref.
func push(t *testing.T, ref string, img any) v1.Hash {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	var d v1.Hash
	switch x := img.(type) {
	case v1.Image:
		err = remote.Write(r, x)
		if err == nil {
			d, err = x.Digest()
		}
	case v1.ImageIndex:
		err = remote.WriteIndex(r, x)
		if err == nil {
			d, err = x.Digest()
		}
	}
	if err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return d
}

// image returns a small random image whose config names platform p.
func image(t *testing.T, p ocispec.Platform) v1.Image {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = p.OS, p.Architecture
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func rawConfig(t *testing.T, img v1.Image) []byte {
	t.Helper()
	b, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestResolveBases(t *testing.T) {
	host := memRegistry(t)
	single := image(t, amd64)
	singleDigest := push(t, host+"/lab/single:1", single)
	push(t, host+"/hub/library/debian:bookworm", single)
	push(t, host+"/library/debian:bookworm", single)

	onAmd64, onArm64, noPlatform := image(t, amd64), image(t, arm64), image(t, arm64)
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: noPlatform},
		mutate.IndexAddendum{Add: onArm64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: onAmd64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
	)
	idxDigest := push(t, host+"/lab/multi:1", idx)
	onlyNil := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: noPlatform})
	onlyNilDigest := push(t, host+"/lab/nilplatform:1", onlyNil)

	for _, tc := range []struct {
		name     string
		config   Config
		ref      string
		platform ocispec.Platform
		wantRef  string
		wantDig  v1.Hash
		wantCfg  v1.Image
		wantErr  []string
	}{
		{name: "single manifest: its digest, whatever the platform", ref: host + "/lab/single:1", platform: arm64,
			wantRef: host + "/lab/single:1@" + singleDigest.String(), wantDig: singleDigest, wantCfg: single},
		{name: "index: the index digest, the platform's config", ref: host + "/lab/multi:1", platform: amd64,
			wantRef: host + "/lab/multi:1@" + idxDigest.String(), wantDig: idxDigest, wantCfg: onAmd64},
		{name: "index: a declared platform before an entry without one", ref: host + "/lab/multi:1", platform: arm64,
			wantRef: host + "/lab/multi:1@" + idxDigest.String(), wantDig: idxDigest, wantCfg: onArm64},
		{name: "index: entry without a platform, checked by its config", ref: host + "/lab/nilplatform:1", platform: arm64,
			wantRef: host + "/lab/nilplatform:1@" + onlyNilDigest.String(), wantDig: onlyNilDigest, wantCfg: noPlatform},
		{name: "by digest", ref: host + "/lab/multi@" + idxDigest.String(), platform: amd64,
			wantRef: host + "/lab/multi@" + idxDigest.String(), wantDig: idxDigest, wantCfg: onAmd64},
		{name: "through a mirror", config: Config{"docker.io": {Mirrors: []string{host}}}, ref: "debian:bookworm", platform: amd64,
			wantRef: "docker.io/library/debian:bookworm@" + singleDigest.String(), wantDig: singleDigest, wantCfg: single},
		{name: "through a mirror with a path", config: Config{"docker.io": {Mirrors: []string{host + "/hub"}}}, ref: "debian:bookworm", platform: amd64,
			wantRef: "docker.io/library/debian:bookworm@" + singleDigest.String(), wantDig: singleDigest, wantCfg: single},
		{name: "missing tag names the ref", ref: host + "/lab/single:2", platform: amd64,
			wantErr: []string{`resolving base image "` + host + `/lab/single:2"`, "MANIFEST_UNKNOWN"}},
		{name: "platform not in the index", ref: host + "/lab/multi:1", platform: ocispec.Platform{OS: "linux", Architecture: "s390x"},
			wantErr: []string{`resolving base image "` + host + `/lab/multi:1"`, "no match for platform linux/s390x"}},
		{name: "entry without a platform, config does not match", ref: host + "/lab/nilplatform:1", platform: amd64,
			wantErr: []string{"no match for platform linux/amd64"}},
		{name: "not a reference", ref: "Not A Ref", platform: amd64,
			wantErr: []string{`resolving base image "Not A Ref": parsing`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(WithConfig(tc.config))
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.ResolveBases(context.Background(), []string{tc.ref}, tc.platform)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ResolveBases = %+v, want an error", got)
				}
				for _, s := range tc.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, ok := got[tc.ref]
			if !ok || len(got) != 1 {
				t.Fatalf("ResolveBases = %+v, want one entry for %q", got, tc.ref)
			}
			if b.Ref != tc.wantRef || b.Digest.String() != tc.wantDig.String() {
				t.Errorf("got %s (%s), want %s (%s)", b.Ref, b.Digest, tc.wantRef, tc.wantDig)
			}
			if want := rawConfig(t, tc.wantCfg); !bytes.Equal(b.Config, want) {
				t.Errorf("config = %s, want %s", b.Config, want)
			}
		})
	}
}

func TestResolveBasesNone(t *testing.T) {
	r, err := New(WithConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.ResolveBases(context.Background(), nil, amd64)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("ResolveBases(nil) = %v, %v; want an empty map", got, err)
	}
}

func TestPick(t *testing.T) {
	d := func(hex string, p *v1.Platform) v1.Descriptor {
		return v1.Descriptor{Digest: v1.Hash{Algorithm: "sha256", Hex: hex}, Platform: p}
	}
	armV7 := &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	armV6 := &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}
	amd := &v1.Platform{OS: "linux", Architecture: "amd64"}
	win := &v1.Platform{OS: "windows", Architecture: "amd64"}
	for _, tc := range []struct {
		name      string
		manifests []v1.Descriptor
		platform  ocispec.Platform
		want      string // hex of the pick; "" for none
	}{
		{"exact match", []v1.Descriptor{d("w", win), d("a", amd)}, amd64, "a"},
		{"declared before undeclared", []v1.Descriptor{d("n", nil), d("a", amd)}, amd64, "a"},
		{"undeclared when nothing else matches", []v1.Descriptor{d("w", win), d("n", nil)}, amd64, "n"},
		{"best variant", []v1.Descriptor{d("6", armV6), d("7", armV7)}, ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "7"},
		{"older variant when the asked one is missing", []v1.Descriptor{d("6", armV6)}, ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "6"},
		{"first of equals", []v1.Descriptor{d("1", amd), d("2", amd)}, amd64, "1"},
		{"no match", []v1.Descriptor{d("w", win)}, amd64, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := pick(tc.manifests, platforms.Only(tc.platform))
			if !ok {
				if tc.want != "" {
					t.Fatalf("pick found none, want %q", tc.want)
				}
				return
			}
			if got.Digest.Hex != tc.want {
				t.Errorf("pick = %q, want %q", got.Digest.Hex, tc.want)
			}
		})
	}
}
