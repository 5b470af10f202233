package sbom

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tree makes the files under dir: a value starting "-> " is a symbolic
// link to the rest, any other the file's contents.
func tree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, v := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(v, "-> "); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

const site = "opt/venv/lib/python3.11/site-packages/"

func TestScan(t *testing.T) {
	root := t.TempDir()
	tree(t, root, map[string]string{
		"etc/os-release":                              "-> /usr/lib/os-release", // absolute: must resolve inside root
		"usr/lib/os-release":                          "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"the image's os-release\"\n",
		dpkgStatus:                                    statusFile,
		site + "numpy-1.26.4.dist-info/METADATA":      "Name: numpy\nVersion: 1.26.4\nLicense: BSD-3-Clause\n\nbody\n",
		site + "My_Pkg-0.1.dist-info/METADATA":        "Name: My_Pkg\nVersion: 0.1+local\n",
		site + "My_Pkg-0.1.dist-info/direct_url.json": `{"url": "https://me:pw@git.example.com/p.git", "vcs_info": {"vcs": "git"}}`,
		site + "numpy/__init__.py":                    "",
		site + "README.txt":                           "",
		"opt/venv/lib64":                              "-> lib",
		"opt/other/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA": "Name: six\nVersion: 1.16.0\nClassifier: License :: OSI Approved :: MIT License\n",
	})
	inv, err := Scan(root, "/opt/venv", "/opt/venv/", "/opt/missing", "/opt/other")
	if err != nil {
		t.Fatal(err)
	}
	want := Inventory{
		OS: OS{ID: "debian", VersionID: "12", PrettyName: "the image's os-release"},
		Packages: []Package{
			{Type: "deb", Name: "bash", Version: "5.2.15-2+b7", Arch: "amd64"},
			{Type: "deb", Name: "libgcc-s1", Version: "12.2.0-14", Arch: "amd64", Source: "gcc-12"},
			{Type: "deb", Name: "tzdata", Version: "2024a-0+deb12u1", Arch: "all"},
			{Type: "pypi", Name: "my-pkg", Version: "0.1+local", Location: "https://git.example.com/p.git", Path: site + "My_Pkg-0.1.dist-info"},
			{Type: "pypi", Name: "numpy", Version: "1.26.4", License: "BSD-3-Clause", Path: site + "numpy-1.26.4.dist-info"},
			{Type: "pypi", Name: "six", Version: "1.16.0", License: "MIT", Path: "opt/other/lib/python3.12/site-packages/six-1.16.0.dist-info"},
		},
	}
	if !reflect.DeepEqual(inv, want) {
		t.Errorf("got  %+v\nwant %+v", inv, want)
	}
}

func TestScanNothing(t *testing.T) {
	inv, err := Scan(t.TempDir(), "/opt/venv")
	if err != nil {
		t.Fatal(err)
	}
	if inv.OS != (OS{}) || inv.Packages == nil || len(inv.Packages) != 0 {
		t.Errorf("got %+v, want a zero OS and an empty, non-nil package list", inv)
	}
}

func TestScanErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		venv  string
		want  string
	}{
		{"malformed status", map[string]string{dpkgStatus: "Package: a\nbroken\n"}, "/opt/venv", `parsing "/var/lib/dpkg/status": line 2:`},
		{"status is a directory", map[string]string{dpkgStatus + "/x": ""}, "/opt/venv", `reading "/var/lib/dpkg/status"`},
		{"malformed os-release", map[string]string{"etc/os-release": "ID\n"}, "/opt/venv", `parsing "/etc/os-release": line 1`},
		{"no METADATA", map[string]string{site + "x-1.dist-info/RECORD": ""}, "/opt/venv", `reading "/` + site + `x-1.dist-info/METADATA"`},
		{"malformed METADATA", map[string]string{site + "x-1.dist-info/METADATA": "Name: x\n"}, "/opt/venv", `parsing "/` + site + `x-1.dist-info/METADATA": no Name or no Version`},
		{"malformed direct_url", map[string]string{site + "x-1.dist-info/METADATA": "Name: x\nVersion: 1\n", site + "x-1.dist-info/direct_url.json": "{"}, "/opt/venv", `parsing "/` + site + `x-1.dist-info/direct_url.json"`},
		{"link loop", map[string]string{"etc/os-release": "-> os-release"}, "/opt/venv", `reading "/etc/os-release": too many levels of symbolic links`},
		{"relative venv", nil, "opt/venv", `venv "opt/venv" is not an absolute path`},
	} {
		root := t.TempDir()
		tree(t, root, tc.files)
		_, err := Scan(root, tc.venv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q in it", tc.name, err, tc.want)
		}
	}
	if _, err := Scan(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("Scan of a missing root succeeded")
	}
}

func TestRootFSStaysInside(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	tree(t, outside, map[string]string{"secret": "host"})
	tree(t, root, map[string]string{
		"secret":   "image",
		"abs":      "-> " + filepath.Join(outside, "secret"), // absolute: means root/OUTSIDE/secret
		"up":       "-> ../../../../../../secret",
		"dir/up":   "-> ../../secret",
		"dir/back": "-> ../dir/../secret",
	})
	r := rootFS(root)
	for _, name := range []string{"up", "dir/up", "dir/back", "dir/../secret"} {
		data, err := r.ReadFile(name)
		if name == "dir/../secret" {
			if err == nil {
				t.Errorf("ReadFile(%q) accepted a path fs.ValidPath refuses", name)
			}
			continue
		}
		if err != nil || string(data) != "image" {
			t.Errorf("ReadFile(%q) = %q, %v; want the image's secret", name, data, err)
		}
	}
	if data, err := r.ReadFile("abs"); err == nil {
		t.Errorf("ReadFile(abs) read %q outside the root", data)
	}
}
