package localfs

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/localfs/localfstest"
)

// tree makes a folder holding a spec's folder "spec", with entries (see
// localfstest.Write), beside a file "secret" outside it, and opens it.
func tree(t *testing.T, entries map[string]string) *Folder {
	t.Helper()
	top := t.TempDir()
	if err := os.WriteFile(filepath.Join(top, "secret"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(top, "spec")
	localfstest.Write(t, dir, entries)
	f, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestResolve(t *testing.T) {
	f := tree(t, map[string]string{
		"v2/app.py":  "print()",
		"current@":   "v2",
		"sub/x@":     "../v2/app.py",
		"out@":       "../secret",
		"outdir@":    "..",
		"abs@":       "/etc/passwd",
		"sub/deep@":  "../current",
		"loop@":      "loop",
		"up/":        "",
		"sub/back@":  "../up",
		"file.txt":   "x",
		"dotdot/in@": "../v2",
	})
	for _, tc := range []struct {
		in, path string
		links    []string
		err      string
	}{
		{in: "v2/app.py", path: "v2/app.py"},
		{in: "current", path: "v2", links: []string{"current"}},
		{in: "current/app.py", path: "v2/app.py", links: []string{"current"}},
		{in: "sub/x", path: "v2/app.py", links: []string{"sub/x"}},
		{in: "sub/deep/app.py", path: "v2/app.py", links: []string{"sub/deep", "current"}},
		{in: "dotdot/in/../file.txt", path: "file.txt", links: []string{"dotdot/in"}},
		{in: "out", err: `"out" leads out of the spec's folder through the symbolic link "out"`},
		{in: "outdir/secret", err: `through the symbolic link "outdir"`},
		{in: "abs", err: `"abs" is a symbolic link to the absolute path "/etc/passwd"`},
		{in: "loop", err: "more than 40 symbolic links"},
		{in: "missing", err: `"missing" not found in the spec's folder "`},
		{in: "current/nope/x", err: `"current/nope/x" not found in the spec's folder "/`},
		{in: "file.txt/x", err: `"file.txt" is not a folder`},
	} {
		r, err := Resolve(f, tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Resolve(%q) = %v, %v; want error containing %q", tc.in, r, err, tc.err)
			}
			continue
		}
		if err != nil || r.Path != tc.path || !reflect.DeepEqual(r.Links, tc.links) {
			t.Errorf("Resolve(%q) = %+v, %v; want %q through %q", tc.in, r, err, tc.path, tc.links)
		}
	}
}

func TestFolderReadsNothingOutside(t *testing.T) {
	f := tree(t, map[string]string{"out@": "../secret"})
	if b, err := f.ReadFile("out"); err == nil {
		t.Fatalf("read %q through a link leaving the folder", b)
	}
	if !strings.Contains(Where(f), "spec") {
		t.Errorf("Where = %q, want the folder's name", Where(f))
	}
}

func TestRequirements(t *testing.T) {
	f := tree(t, map[string]string{
		"requirements.txt":  "requests\n-r reqs/base.txt  # shared\n--constraint=constraints.txt\n-r https://example.org/r.txt\n",
		"reqs/base.txt":     "numpy\n-r more.txt\n-r ../requirements.txt\n",
		"reqs/more.txt":     "scipy\n",
		"constraints.txt":   "numpy<3\n",
		"linked.txt@":       "reqs/more.txt",
		"bad-abs.txt":       "-r /etc/passwd\n",
		"bad-out.txt":       "x\n\\\n-c ../secret\n",
		"bad-link.txt":      "-r lnk/secret\n",
		"lnk@":              "..",
		"missing.txt":       "-rnothere.txt\n",
		"continued.txt":     "--requirement \\\n reqs/more.txt\n",
		"not-an-option.txt": "pkg -r nothere.txt\n",
	})
	got, err := Requirements(f, "requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range got {
		paths = append(paths, e.Path)
	}
	want := []string{"requirements.txt", "reqs/base.txt", "reqs/more.txt", "constraints.txt"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %q, want %q", paths, want)
	}
	if string(got[2].Data) != "scipy\n" {
		t.Errorf("reqs/more.txt read as %q", got[2].Data)
	}

	got, err = Requirements(f, "linked.txt")
	if err != nil {
		t.Fatal(err)
	}
	// The link is sent as a link, beside its target.
	if got[0].Path != "linked.txt" || got[0].Link != "reqs/more.txt" || got[1].Path != "reqs/more.txt" {
		t.Errorf("linked.txt gave %+v", got)
	}

	for name, msg := range map[string]string{
		"bad-abs.txt":       `bad-abs.txt line 1: -r "/etc/passwd" is an absolute path`,
		"bad-out.txt":       `bad-out.txt line 3: -c "../secret": "../secret" leads out of the spec's folder`,
		"bad-link.txt":      `bad-link.txt line 1: -r "lnk/secret": "lnk/secret" leads out of the spec's folder through the symbolic link "lnk"`,
		"missing.txt":       `missing.txt line 1: -r "nothere.txt":`,
		"continued.txt":     "",
		"not-an-option.txt": "",
	} {
		_, err := Requirements(f, name)
		if msg == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: got %v, want %q", name, err, msg)
		}
	}
}
