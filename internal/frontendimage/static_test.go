package frontendimage

import (
	"os"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// platformOf parses s or panics.
func platformOf(s string) v1.Platform {
	p, err := v1.ParsePlatform(s)
	if err != nil {
		panic(err)
	}
	return *p
}

func TestCheckStatic(t *testing.T) {
	dynamic, err := os.ReadFile("/bin/sh") // Debian's dash: dynamically linked
	if err != nil {
		t.Fatal(err)
	}
	amd64 := platformOf("linux/amd64")
	for _, tc := range []struct {
		name string
		data []byte
		p    v1.Platform
		want string // part of the error; "" for none
	}{
		{"static amd64", hello(t, "amd64", "frontend"), amd64, ""},
		{"static arm64", hello(t, "arm64", "frontend"), platformOf("linux/arm64"), ""},
		{"wrong architecture", hello(t, "arm64", "frontend"), amd64, "built for EM_AARCH64"},
		{"dynamic", dynamic, amd64, "CGO_ENABLED=0"},
		{"not ELF", []byte("#!/bin/sh\necho hi\n"), amd64, "not an ELF executable"},
		{"empty", nil, amd64, "empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkStatic(tc.data, tc.p)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestAssembleNamesTheBadBinary(t *testing.T) {
	b := testBinaries(t)
	b.Probe = []byte("not a binary")
	_, err := Assemble(b)
	if err == nil || !strings.Contains(err.Error(), ProbePath) {
		t.Errorf("err %v, want one naming %s", err, ProbePath)
	}
}
