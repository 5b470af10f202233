package lock

import (
	"bytes"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/oci"
)

func TestPathFor(t *testing.T) {
	for in, want := range map[string]string{
		"wsbuild.yaml":             "wsbuild.lock",
		"templates/catalogue.yaml": "templates/catalogue.lock",
		"spec":                     "spec.lock",
	} {
		if got := PathFor(in); got != want {
			t.Errorf("PathFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func sample() *File {
	return &File{Version: Version, Bases: []Entry{
		{Ref: "ubuntu:22.04", Platform: "linux/amd64", Base: oci.Base{Digest: digest.FromString("u"), Ref: "docker.io/library/ubuntu:22.04@" + digest.FromString("u").String()}},
		{Ref: "debian:bookworm", Platform: "linux/amd64", Base: oci.Base{Digest: digest.FromString("d"), Ref: "docker.io/library/debian:bookworm@" + digest.FromString("d").String()}},
	}}
}

func TestRoundTripIsSortedAndStable(t *testing.T) {
	a, err := sample().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("wsbuild.lock", a)
	if err != nil {
		t.Fatal(err)
	}
	if f.Bases[0].Ref != "debian:bookworm" {
		t.Errorf("bases not sorted: %+v", f.Bases)
	}
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("marshal is not stable:\n%s\n%s", a, b)
	}
}

// TestFormat pins the lock file's bytes: an entry is ref, platform, digest
// and pinned, and a base's config is never written.
func TestFormat(t *testing.T) {
	f := &File{Bases: []Entry{{Ref: "debian:bookworm", Platform: "linux/amd64",
		Base: oci.Base{Ref: "docker.io/library/debian:bookworm@sha256:" + strings.Repeat("d", 64), Digest: digest.Digest("sha256:" + strings.Repeat("d", 64)), Config: []byte("{}")}}}}
	got, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "version": 1,
  "bases": [
    {
      "ref": "debian:bookworm",
      "platform": "linux/amd64",
      "digest": "sha256:` + strings.Repeat("d", 64) + `",
      "pinned": "docker.io/library/debian:bookworm@sha256:` + strings.Repeat("d", 64) + `"
    }
  ]
}
`
	if string(got) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]string{
		`{"version": 2, "bases": []}`: "x.lock: lock file version 2",
		`{"version": 1, "bases": [{"ref": "a", "platform": "linux/amd64", "digest": "nope", "pinned": "a"}]}`: `x.lock: bases[0] ("a"): needs`,
		`{"version": 1, "extra": true}`: "x.lock: not a wsbuild lock file",
		`{"version": 1, "bases": [{"ref": "a", "platform": "linux/amd64", "digest": "sha256:` + strings.Repeat("a", 64) + `", "pinned": "a", "config": "e30="}]}`: `x.lock: not a wsbuild lock file: json: unknown field "config"`,
		`not json`: "x.lock: not a wsbuild lock file",
		`{"version": 1, "bases": [{"ref": "a", "platform": "linux/amd64", "digest": "sha256:` + strings.Repeat("a", 64) + `", "pinned": "docker.io/library/a@sha256:` + strings.Repeat("b", 64) + `"}]}`: `x.lock: bases[0] ("a"): pinned "docker.io/library/a@sha256:bbbb`,
		`{"version": 1, "bases": [{"ref": "a", "platform": "linux/amd64", "digest": "sha256:` + strings.Repeat("a", 64) + `", "pinned": "docker.io/library/a"}]}`:                                        `is not pinned to digest sha256:aaaa`,
		`{"version": 1, "bases": [{"ref": "a", "platform": "linux/amd64", "digest": "sha256:` + strings.Repeat("a", 64) + `", "pinned": "Bad Ref@sha256:` + strings.Repeat("a", 64) + `"}]}`:             `x.lock: bases[0] ("a"): pinned "Bad Ref@`,
	}
	for in, want := range tests {
		if _, err := Parse("x.lock", []byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) error %v, want it to contain %q", in, err, want)
		}
	}
}

func TestPins(t *testing.T) {
	f := sample()
	pins, err := f.Pins("w.lock", []string{"debian:bookworm"}, "linux/amd64")
	if err != nil || pins["debian:bookworm"].Digest != digest.FromString("d") {
		t.Fatalf("pins %+v, %v", pins, err)
	}
	_, err = f.Pins("w.lock", []string{"debian:bookworm", "alpine:3"}, "linux/arm64")
	want := `w.lock does not pin base "debian:bookworm", "alpine:3" for linux/arm64; run wsbuild lock`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
