package sbom

import (
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"Django": "django", "typing_extensions": "typing-extensions", "zope.interface": "zope-interface",
		"Foo.-_Bar": "foo-bar", "a__b..c": "a-b-c", "torch": "torch", " Jinja2 ": "jinja2",
	} {
		if got := normalizeName(in); got != want {
			t.Errorf("normalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPypiLicense(t *testing.T) {
	long := strings.Repeat("x", 101)
	for _, tc := range []struct {
		name, expr, license string
		classifiers         []string
		want                string
	}{
		{"expression first", "BSD-3-Clause OR MIT", "BSD", []string{"License :: OSI Approved :: MIT License"}, "BSD-3-Clause OR MIT"},
		{"short license", "", "Apache 2.0", []string{"License :: OSI Approved :: MIT License"}, "Apache 2.0"},
		{"100 bytes is short", "", strings.Repeat("y", 100), nil, strings.Repeat("y", 100)},
		{"long license falls back", "", long, []string{"License :: OSI Approved :: MIT License"}, "MIT"},
		{"multi-line license falls back", "", "Copyright (c) x\nPermission is granted", []string{"License :: OSI Approved :: Apache Software License"}, "Apache-2.0"},
		{"UNKNOWN falls back", "", "UNKNOWN", []string{"License :: OSI Approved :: BSD License"}, "BSD License"},
		{"classifiers joined", "", "", []string{
			"Programming Language :: Python :: 3",
			"License :: OSI Approved",
			"License :: OSI Approved :: MIT License",
			"License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
			"License :: OSI Approved :: MIT License",
			"License :: Other/Proprietary License",
		}, "MIT AND GPL-2.0-or-later AND Other/Proprietary License"},
		{"nothing", "", "", []string{"Topic :: Science"}, ""},
	} {
		if got := pypiLicense(tc.expr, tc.license, tc.classifiers); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseMetadata(t *testing.T) {
	data := "Metadata-Version: 2.1\nName: Typing_Extensions\nVersion: 4.12.2\nSummary: Backported types\nLicense: Copyright line one\n        \n        line two\nClassifier: License :: OSI Approved :: Python Software Foundation License\nclassifier: Programming Language :: Python\n\nName: NotAHeader\nbody text: with a colon\n"
	p, err := parseMetadata([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := Package{Type: "pypi", Name: "typing-extensions", Version: "4.12.2", License: "PSF-2.0"}
	if p != want {
		t.Errorf("got %+v, want %+v", p, want)
	}
	for _, bad := range []string{"Name: x\n", "Version: 1\n", "Name: x\nVersion 1\n"} {
		if _, err := parseMetadata([]byte(bad)); err == nil {
			t.Errorf("parseMetadata(%q) succeeded", bad)
		}
	}
}

func TestWithoutUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"": "",
		"https://user:s3cret@git.example.com/r.git":    "https://git.example.com/r.git",
		"https://TOKEN@example.com/simple/x.whl#sha=1": "https://example.com/simple/x.whl",
		"https://example.com/simple?private_token=abc": "https://example.com/simple",
		"file:///tmp/wheels/x-1.0-py3-none-any.whl":    "file:///tmp/wheels/x-1.0-py3-none-any.whl",
		"git+ssh://git@github.com/o/r.git":             "git+ssh://github.com/o/r.git",
	} {
		if got, err := withoutUserinfo(in); err != nil || got != want {
			t.Errorf("withoutUserinfo(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := withoutUserinfo("https://user:s3cret@host:port/")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %v: want one not quoting the password", err)
	}
}
