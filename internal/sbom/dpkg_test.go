package sbom

import (
	"reflect"
	"strings"
	"testing"
)

const statusFile = `Package: bash
Status: install ok installed
Priority: required
Architecture: amd64
Version: 5.2.15-2+b7
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
 .
 It is the default shell.

Package: old-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
Conffiles:
 /etc/old-tool.conf 0123456789abcdef

Package: libgcc-s1
Status: hold ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14

Package: python3
Status: install ok half-configured
Architecture: amd64
Version: 3.11.2-1+b1

Package: tzdata
Status: install ok installed
Architecture: all
Source: tzdata
Version: 2024a-0+deb12u1
`

func TestParseDpkgStatus(t *testing.T) {
	want := []Package{
		{Type: "deb", Name: "bash", Version: "5.2.15-2+b7", Arch: "amd64"},
		{Type: "deb", Name: "libgcc-s1", Version: "12.2.0-14", Arch: "amd64", Source: "gcc-12"},
		{Type: "deb", Name: "tzdata", Version: "2024a-0+deb12u1", Arch: "all"},
	}
	for name, data := range map[string]string{
		"lf":            statusFile,
		"crlf":          strings.ReplaceAll(statusFile, "\n", "\r\n"),
		"extra blanks":  "\n\n" + strings.ReplaceAll(statusFile, "\n\n", "\n\n\n") + "\n\n",
		"no final line": strings.TrimSuffix(statusFile, "\n"),
	} {
		got, err := parseDpkgStatus([]byte(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestParseDpkgStatusErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"no colon", "Package: a\nStatus: install ok installed\nVersion 1\n", `line 3: "Version 1" is neither a field nor a continuation line`},
		{"leading continuation", " stray\nPackage: a\n", "line 1: continuation line with no field before it"},
		{"no version", "Package: a\nStatus: install ok installed\n\nPackage: b\nStatus: install ok installed\n", "line 1: an installed package without Package or Version"},
		{"space in key", "Package name: a\n", `line 1: "Package name: a" is neither`},
	} {
		_, err := parseDpkgStatus([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q in it", tc.name, err, tc.want)
		}
	}
}

func TestParseOSRelease(t *testing.T) {
	got, err := parseOSRelease([]byte("# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\nVERSION_ID='12'\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (OS{ID: "debian", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := parseOSRelease([]byte("ID=debian\nnonsense\n")); err == nil || !strings.Contains(err.Error(), `line 2: "nonsense" is not KEY=value`) {
		t.Errorf("error %v, want line 2 named", err)
	}
	for in, want := range map[string]string{`"a \"b\" \$c \\d"`: `a "b" $c \d`, `'x\y'`: `x\y`, `plain`: `plain`, `"`: `"`, `"mixed'`: `"mixed'`} {
		if got := unquote(in); got != want {
			t.Errorf("unquote(%s) = %s, want %s", in, got, want)
		}
	}
}
