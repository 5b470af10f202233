package sbom

import "testing"

func TestPURL(t *testing.T) {
	deb := Package{Type: "deb", Name: "attr", Version: "1:2.4.47-2+b1", Arch: "amd64"}
	for _, tc := range []struct{ name, got, want string }{
		{"deb", debPURL(deb, OS{ID: "debian", VersionID: "12"}), "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64&distro=debian-12"},
		{"deb without VERSION_ID", debPURL(deb, OS{ID: "debian"}), "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64"},
		{"deb without os-release", debPURL(Package{Name: "a", Version: "1~rc1"}, OS{}), "pkg:deb/a@1~rc1"},
		{"pypi", pypiPURL(Package{Name: "torch", Version: "2.3.0+cu121"}), "pkg:pypi/torch@2.3.0%2Bcu121"},
		{"escape", purlEscape("a b/c?d#e@f&g=h%i:j~k_l.m-n"), "a%20b%2Fc%3Fd%23e%40f%26g%3Dh%25i:j~k_l.m-n"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	d := "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct{ ref, digest, want string }{
		{"debian:bookworm", d, "pkg:oci/debian@" + d + "?repository_url=docker.io%2Flibrary%2Fdebian&tag=bookworm"},
		{"127.0.0.1:5000/team/python:3.11", d, "pkg:oci/python@" + d + "?repository_url=127.0.0.1:5000%2Fteam%2Fpython&tag=3.11"},
		{"quay.io/a/b/c@" + d, "", "pkg:oci/c@" + d + "?repository_url=quay.io%2Fa%2Fb%2Fc"},
		{"localhost/x:v1", "", "pkg:oci/x?repository_url=localhost%2Fx&tag=v1"},
		// A base read from an OCI layout file has no repository.
		{"oci-layout:bases/Debian.tar:python:3.11", d, "pkg:oci/debian@" + d + "?tag=python:3.11"},
		{"oci-layout:base", d, "pkg:oci/base@" + d},
		{"ghcr.io/Org/tools", d, ""}, // upper case: not a reference
		{"debian", "sha256:abc", ""}, // not a digest
	} {
		got, err := ociPURL(tc.ref, tc.digest)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ociPURL(%q, %q) = %q, want an error", tc.ref, tc.digest, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ociPURL(%q, %q) = %q, %v; want %q", tc.ref, tc.digest, got, err, tc.want)
		}
	}
}

func TestValidExpression(t *testing.T) {
	for s, want := range map[string]bool{
		"MIT": true, "mit": true, "Apache-2.0 OR MIT": true, "(MIT OR Apache-2.0) AND BSD-3-Clause": true,
		"GPL-2.0-or-later WITH Classpath-exception-2.0": true, "Apache-2.0+": true,
		"": false, "BSD License": false, "MIT AND": false, "(MIT": false, "MIT)": false, "BSD": false,
		"MIT and Apache-2.0": false, "LicenseRef-foo": false, "MIT WITH Unknown-exception": false, "OR MIT": false,
	} {
		if got := validExpression(s); got != want {
			t.Errorf("validExpression(%q) = %v, want %v", s, got, want)
		}
	}
}
