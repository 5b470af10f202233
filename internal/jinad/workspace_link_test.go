package jinad

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestScanSymlinkedRequirements(t *testing.T) {
	link := func(target string) *fstest.MapFile {
		return &fstest.MapFile{Mode: fs.ModeSymlink, Data: []byte(target)}
	}
	for _, tc := range []struct {
		name    string
		entry   *fstest.MapFile
		warning string
		err     string
	}{
		{name: "inside", entry: link("reqs/base.txt"),
			warning: `ws/requirements.txt: a symbolic link to "reqs/base.txt" inside the workspace: pip reads ws/reqs/base.txt through it`},
		{name: "outside", entry: link("../../etc/passwd"),
			err: `ws/requirements.txt: a symbolic link to "../../etc/passwd", which leads out of the workspace or cannot be followed: copy the file into the workspace instead`},
		{name: "absolute", entry: link("/etc/passwd"),
			err: `ws/requirements.txt: a symbolic link to "/etc/passwd", which leads out of the workspace`},
		{name: "dangling", entry: link("gone.txt"), err: `ws/requirements.txt: a symbolic link to "gone.txt", which does not exist`},
		{name: "to a folder", entry: link("reqs"), err: `ws/requirements.txt: a symbolic link to "reqs", which is not a file`},
		{name: "a folder", entry: &fstest.MapFile{Mode: fs.ModeDir}, warning: "ws/requirements.txt: not used: not a file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := workspace()
			fsys["reqs/base.txt"] = &fstest.MapFile{Data: []byte("numpy\n")}
			fsys["requirements.txt"] = tc.entry
			w, err := Scan(fsys, "ws")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Requirements != (tc.name == "inside") || !slices.Contains(w.Warnings, tc.warning) {
				t.Errorf("Requirements = %v, warnings %q; want a warning %q", w.Requirements, w.Warnings, tc.warning)
			}
		})
	}
}
