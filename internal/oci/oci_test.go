package oci

import (
	"runtime"
	"testing"
)

func TestRefByDigest(t *testing.T) {
	for _, tc := range []struct {
		ref  Ref
		want string
	}{
		{Ref{Name: "ghcr.io/lab/python:3.11", Repository: "ghcr.io/lab/python"}, "ghcr.io/lab/python@sha256:ab"},
		{Ref{Name: "127.0.0.1:5000/lab/pytorch:2.3-py3.11-cpu", Repository: "127.0.0.1:5000/lab/pytorch", Insecure: true}, "127.0.0.1:5000/lab/pytorch@sha256:ab"},
	} {
		if got := tc.ref.ByDigest("sha256:ab"); got != tc.want {
			t.Errorf("%s: ByDigest = %q, want %q", tc.ref.Name, got, tc.want)
		}
	}
}

func TestDefaultPlatform(t *testing.T) {
	if p := DefaultPlatform(); p.OS != "linux" || p.Architecture != runtime.GOARCH || p.Variant != "" {
		t.Errorf("DefaultPlatform = %+v, want linux/%s", p, runtime.GOARCH)
	}
}
