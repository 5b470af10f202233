package spec

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/localfs"
	"github.com/wsbuild/wsbuild/internal/localfs/localfstest"
)

func TestLoadRefusesRequirementsOutsideTheFolder(t *testing.T) {
	for name, target := range map[string]string{
		"a relative link": "../../../../../../../../../../etc/passwd",
		"an absolute one": "/etc/passwd",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			localfstest.Write(t, dir, map[string]string{
				"wsbuild.yaml":      "images:\n  x:\n    base: debian\n    requirements: requirements.txt\n",
				"requirements.txt@": target,
			})
			file := filepath.Join(dir, "wsbuild.yaml")
			fam, err := Load(file, nil)
			if err == nil {
				t.Fatalf("loaded, requirements read as %q", fam.Images["x"].RequirementsData)
			}
			if want := file + ":4: images.x.requirements: reading \"requirements.txt\": "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("got %v, want it to start with %q", err, want)
			}
		})
	}
}

func TestLoadReadsRequirementsIncludesAndLinksInside(t *testing.T) {
	dir := t.TempDir()
	localfstest.Write(t, dir, map[string]string{
		"wsbuild.yaml":      "images:\n  x:\n    base: debian\n    requirements: requirements.txt\n  y:\n    base: debian\n    requirements: plain.txt\n",
		"requirements.txt@": "reqs/top.txt",
		"reqs/top.txt":      "numpy\n-r reqs/more.txt\n",
		"reqs/more.txt":     "scipy\n",
		"plain.txt":         "pandas\n",
	})
	fam, err := Load(filepath.Join(dir, "wsbuild.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	x := fam.Images["x"]
	want := []localfs.Entry{
		{Path: "requirements.txt", Link: "reqs/top.txt"},
		{Path: "reqs/top.txt", Data: []byte("numpy\n-r reqs/more.txt\n")},
		{Path: "reqs/more.txt", Data: []byte("scipy\n")},
	}
	if string(x.RequirementsData) != "numpy\n-r reqs/more.txt\n" || !reflect.DeepEqual(x.RequirementsIncludes, want) {
		t.Errorf("data %q, includes %+v", x.RequirementsData, x.RequirementsIncludes)
	}
	if y := fam.Images["y"]; string(y.RequirementsData) != "pandas\n" || y.RequirementsIncludes != nil {
		t.Errorf("plain file: data %q, includes %+v", y.RequirementsData, y.RequirementsIncludes)
	}
}

func TestWorkdirIsNormalised(t *testing.T) {
	for in, want := range map[string]string{"/home/user/": "/home/user", "//opt//app/./x": "/opt/app/x", "/": "/"} {
		fam, err := Parse("x.yaml", []byte("images:\n  x:\n    base: debian\n    workdir: "+in+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := fam.Images["x"].Workdir; got != want {
			t.Errorf("workdir %q became %q, want %q", in, got, want)
		}
	}
}
