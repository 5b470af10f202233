package oci

import (
	"strings"
	"testing"
)

func TestParseLayoutBase(t *testing.T) {
	const d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		in, path, tag, digest, err string
	}{
		{in: "oci-layout:debian.tar", path: "debian.tar"},
		{in: "oci-layout:bases/debian.tar:bookworm", path: "bases/debian.tar", tag: "bookworm"},
		{in: "oci-layout:./v1.2/layout", path: "./v1.2/layout"},
		{in: "oci-layout:layout:1@" + d, path: "layout", tag: "1", digest: d},
		{in: "oci-layout:family.tar:python-pytorch:3.11", path: "family.tar", tag: "python-pytorch:3.11"},
		{in: "oci-layout:", err: "no path"},
		{in: "oci-layout:x.tar:", err: "empty tag"},
		{in: "oci-layout:x@sha256:12", err: "bad digest"},
		{in: "debian:bookworm", err: "does not start with"},
	} {
		p, tag, dg, err := ParseLayoutBase(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || p != tc.path || tag != tc.tag || string(dg) != tc.digest {
			t.Errorf("%q: %q %q %q %v, want %q %q %q", tc.in, p, tag, dg, err, tc.path, tc.tag, tc.digest)
		}
	}
}
