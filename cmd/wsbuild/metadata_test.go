package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// TestMetadataBakeKeys checks the --metadata-file's shape: wsbuild's list
// under "images", unchanged, and each image under its bake target name with
// the keys buildx bake writes, a pushed image with its refs, an image built
// but not pushed without image.name.
func TestMetadataBakeKeys(t *testing.T) {
	const manifest, config = "sha256:1111111111111111111111111111111111111111111111111111111111111111",
		"sha256:2222222222222222222222222222222222222222222222222222222222222222"
	built := []pipeline.Built{
		{Name: "python", Base: "debian:bookworm", Action: change.Build, Digest: manifest, ImageDigest: manifest, Checks: []string{},
			MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 1234, ConfigDigest: config,
			Platform: &ocispec.Platform{Architecture: "amd64", OS: "linux"},
			Refs:     []string{"reg.example/ns/python:3.11", "mirror.example/ns/python:3.11"}, Pushed: true},
		{Name: "pytorch:2.3-cpu", Parent: "python", Action: change.Build, Digest: manifest, Checks: []string{},
			Tags: []string{"reg.example/ns/pytorch:2.3-cpu"}},
	}
	path := filepath.Join(t.TempDir(), "meta.json")
	if err := writeMetadata(path, built); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	wantJSON := `{
	  "images": [
	    {"name": "python", "base": "debian:bookworm", "inputDigest": "", "action": "build", "digest": "` + manifest + `", "imageDigest": "` + manifest + `",
	     "refs": ["reg.example/ns/python:3.11", "mirror.example/ns/python:3.11"], "pushed": true, "checks": []},
	    {"name": "pytorch:2.3-cpu", "parent": "python", "base": "", "inputDigest": "", "action": "build",
	     "digest": "` + manifest + `", "pushed": false, "checks": []}
	  ],
	  "python": {
	    "containerimage.digest": "` + manifest + `",
	    "containerimage.config.digest": "` + config + `",
	    "containerimage.descriptor": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "` + manifest + `", "size": 1234,
	                                  "platform": {"architecture": "amd64", "os": "linux"}},
	    "image.name": "reg.example/ns/python:3.11,mirror.example/ns/python:3.11"
	  },
	  "pytorch-2-3-cpu": {"containerimage.digest": "` + manifest + `", "image.name": "reg.example/ns/pytorch:2.3-cpu"}
	}`
	if err := json.Unmarshal([]byte(wantJSON), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("metadata file:\n%s\nwant:\n%s", data, wantJSON)
	}
}

// TestMetadataNameClash: an image whose bake target name is "images", or
// two images with one bake target name, fail a build with --metadata-file
// before anything starts, naming the spec line; without the flag the same
// spec goes on to resolve its base.
func TestMetadataNameClash(t *testing.T) {
	offline(t)
	images := writeSpec(t, "images:\n  python:\n    base: debian:bookworm\n  images:\n    from: python\n")
	twins := writeSpec(t, "images:\n  a.b:\n    base: debian:bookworm\n  a-b:\n    from: a.b\n")
	meta := filepath.Join(t.TempDir(), "meta.json")
	runExitCases(t, []exitCase{
		{"images", []string{"build", "-f", images, "--metadata-file", meta}, 2,
			images + `:4: images.images: --metadata-file writes each image under its name, as buildx bake does, and "images" is the key of wsbuild's list of images`},
		{"images without metadata", []string{"build", "-f", images}, 1, `resolving base image "debian:bookworm"`},
		{"one bake name", []string{"build", "-f", twins, "--metadata-file", meta}, 2,
			twins + `:4: images.a-b: images "a.b" and "a-b" would both be written under "a-b" in --metadata-file`},
	})
}

// assertBakeMetadata fails unless the --metadata-file at path holds, under
// target, buildx bake's keys for img as pushed to ref.
func assertBakeMetadata(t *testing.T, path, target string, img v1.Image, ref string) {
	t.Helper()
	m := readTopLevel(t, path)
	var got struct {
		Digest       string             `json:"containerimage.digest"`
		ConfigDigest string             `json:"containerimage.config.digest"`
		Descriptor   ocispec.Descriptor `json:"containerimage.descriptor"`
		Name         string             `json:"image.name"`
	}
	if err := json.Unmarshal(m[target], &got); err != nil {
		t.Fatalf("metadata %q: %v", target, err)
	}
	d, _ := img.Digest()
	config, _ := img.ConfigName()
	mt, _ := img.MediaType()
	size, _ := img.Size()
	cf, _ := img.ConfigFile()
	want := ocispec.Descriptor{MediaType: string(mt), Digest: digest.Digest(d.String()), Size: size,
		Platform: &ocispec.Platform{Architecture: cf.Architecture, OS: cf.OS}}
	// A tag holding an index of the image and its attestations: buildx
	// describes the index, with no platform, and the image's config.
	if head, err := remote.Head(mustParse(t, ref)); err != nil {
		t.Fatal(err)
	} else if head.MediaType.IsIndex() {
		d = head.Digest
		want = ocispec.Descriptor{MediaType: string(head.MediaType), Digest: digest.Digest(d.String()), Size: head.Size}
	}
	if got.Digest != d.String() || got.ConfigDigest != config.String() || got.Name != ref || !reflect.DeepEqual(got.Descriptor, want) {
		t.Errorf("metadata %q: %+v, want digest %s, config %s, descriptor %+v, image.name %s", target, got, d, config, want, ref)
	}
}

// sameBakeMetadata fails unless wsbuild's --metadata-file at ws has, for
// each target, the keys of BuildKit's image exporter that buildx bake wrote
// of the same image to its own at bake, with the same values (image.name
// aside, the refs differing).
func sameBakeMetadata(t *testing.T, ws, bake string, targets ...string) {
	t.Helper()
	read := func(path string) map[string]map[string]json.RawMessage {
		out := map[string]map[string]json.RawMessage{}
		for k, v := range readTopLevel(t, path) {
			var obj map[string]json.RawMessage
			if json.Unmarshal(v, &obj) == nil {
				out[k] = obj
			}
		}
		return out
	}
	got, want := read(ws), read(bake)
	for _, target := range targets {
		for _, key := range []string{"containerimage.digest", "containerimage.config.digest", "containerimage.descriptor", "image.name"} {
			g, w := got[target][key], want[target][key]
			if len(g) == 0 || len(w) == 0 {
				t.Errorf("%s: %s is %s in wsbuild's metadata, %s in bake's", target, key, g, w)
				continue
			}
			if key == "image.name" {
				continue
			}
			var gv, wv any
			_ = json.Unmarshal(g, &gv)
			_ = json.Unmarshal(w, &wv)
			if !reflect.DeepEqual(gv, wv) {
				t.Errorf("%s: %s is %s in wsbuild's metadata, %s in bake's", target, key, g, w)
			}
		}
	}
}

// readTopLevel reads the JSON object in the file at path, key by key.
func readTopLevel(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func mustParse(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
