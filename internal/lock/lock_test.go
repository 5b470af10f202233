package lock

import (
	"bytes"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
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
	return &File{Version: Version, Bases: []Base{
		{Ref: "ubuntu:22.04", Platform: "linux/amd64", Digest: digest.FromString("u"), Pinned: "docker.io/library/ubuntu:22.04@" + digest.FromString("u").String()},
		{Ref: "debian:bookworm", Platform: "linux/amd64", Digest: digest.FromString("d"), Pinned: "docker.io/library/debian:bookworm@" + digest.FromString("d").String()},
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

func TestParseErrors(t *testing.T) {
	tests := map[string]string{
		`{"version": 2, "bases": []}`: "x.lock: lock file version 2",
		`{"version": 1, "bases": [{"ref": "a", "platform": "linux/amd64", "digest": "nope", "pinned": "a"}]}`: `x.lock: bases[0] ("a"): needs`,
		`{"version": 1, "extra": true}`: "x.lock: not a wsbuild lock file",
		`not json`:                      "x.lock: not a wsbuild lock file",
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
