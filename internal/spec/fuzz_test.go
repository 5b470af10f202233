package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// hostileSpecs are the seeds every spec fuzz target starts from besides the
// specs under testdata/spec: each case the limits and the line fixes of
// this package were written for.
func hostileSpecs() []string {
	big := strings.Repeat("# "+strings.Repeat("x", 61)+"\n", 20000)
	return []string{
		twoVariants + base + "    apt: " + laughs() + "\n",                            // billion laughs
		twoVariants + "images:\n  x: &x\n    base: debian:bookworm\n    test: [*x]\n", // an alias naming what holds it
		"images: &i\n  x: *i\n",
		axes(6) + base,                         // six axes of ten values
		axes(10) + base,                        // ten
		manyImages(1001),                       // more images than the limit
		big,                                    // over MaxSpecBytes
		base + "    labels: {a: \"x\xff\"}\n",  // invalid UTF-8
		base + "    apt: [git]\n     tag: x\n", // an over-indented key
		base + "  jupyter:\n    lab: true\n",   // an image field at image level
		"matrix: {a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], c: [0, 1, 2, 3, 4, 5]}\n" +
			"images:\n  x:\n    base: debian:bookworm\n    apt: [" + strings.TrimSuffix(strings.Repeat("git, ", 2000), ", ") + "]\n", // variant copies
		base + "---\nimages: {}\n",
		"",
	}
}

// hostileSets are --set values the spec fuzz targets start from.
var hostileSets = []string{
	"",
	"x.tag=1\n---\nb: 2",
	"x.labels=&l {a: *l}",
	"matrix.python=3.13",
	"x.apt=[git, curl]",
}

// specSeeds returns the specs under testdata/spec and the hostile ones.
func specSeeds(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(specDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(data))
	}
	return append(out, hostileSpecs()...)
}

// checkParsed checks what Parse returned: a family within the limits, or
// an ErrorList whose every problem is in one of files at a line it has
// (lines maps each file to its number of lines).
func checkParsed(t *testing.T, fam *Family, err error, lines map[string]int) {
	t.Helper()
	if err == nil {
		if fam == nil || len(fam.Names) != len(fam.Images) || len(fam.Names) > DefaultMaxImages {
			t.Fatalf("family of %d names, %d images", len(fam.Names), len(fam.Images))
		}
		for _, n := range fam.Names {
			img := fam.Images[n]
			if img == nil {
				t.Fatalf("name %q has no image", n)
			}
			if img.From != "" && fam.Images[img.From] == nil {
				t.Fatalf("image %q is from %q, no image of the family", n, img.From)
			}
		}
		return
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %v (%T) is not an ErrorList", err, err)
	}
	for _, e := range list {
		if n, ok := lines[e.Pos.File]; !ok || e.Pos.Line < 1 || e.Pos.Line > n {
			t.Errorf("problem %q is not at a line of %v", e.Error(), lines)
		}
	}
}

// lineCount is the number of lines of data as YAML counts them, an empty
// last one included.
func lineCount(data []byte) int { return len(breaks(data)) + 1 }

// FuzzParse parses a spec with one --set value and one override file.
func FuzzParse(f *testing.F) {
	for _, s := range specSeeds(f) {
		for _, set := range hostileSets {
			f.Add([]byte(s), set, []byte("x.tag=2\n# comment\n"))
		}
	}
	f.Add([]byte(base), "", []byte("x.apt="+laughs()+"\n"))
	f.Add([]byte(base), "", []byte(strings.Repeat("x.tag=1\n", 200000)))
	fsys := fstest.MapFS{"requirements.txt": {Data: []byte("numpy\n")}}
	f.Fuzz(func(t *testing.T, data []byte, set string, setFile []byte) {
		opts := []Option{WithFS(fsys)}
		if set != "" {
			opts = append(opts, WithOverrides([]string{set}))
		}
		lines := map[string]int{"wsbuild.yaml": lineCount(data), "o.sets": lineCount(setFile), OverrideFile: 1}
		ovs, err := ReadOverrides("o.sets", setFile)
		if err != nil {
			checkParsed(t, nil, err, lines)
		} else {
			opts = append(opts, WithOverrideList(ovs))
		}
		fam, err := Parse("wsbuild.yaml", data, opts...)
		checkParsed(t, fam, err, lines)
		fam2, err2 := Parse("wsbuild.yaml", data, opts...)
		if fmt.Sprint(err) != fmt.Sprint(err2) || (fam != nil) != (fam2 != nil) || fam != nil && !slices.Equal(fam.Names, fam2.Names) {
			t.Errorf("parsed twice, differently:\n%v\n%v", err, err2)
		}
	})
}

// FuzzMatrix expands a family matrix and an image's matrix, written as
// YAML flow mappings, over a chain of three images, with one --set value.
func FuzzMatrix(f *testing.F) {
	seeds := [][3]string{
		{`{python: ["3.11", "3.12"], cuda: [false, "12.4"], exclude: [{python: "3.12", cuda: "12.4"}]}`, `{torch: ["2.2", "2.3"], tag: "{torch}-py{python}-{cuda}"}`, ""},
		{`{python: "3.11"}`, `{torch: [1, 2], include: [{python: "3.11", torch: 3}]}`, "matrix.python=[3.11, 3.12]"},
		{`{a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], c: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}`, `{d: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}`, ""},
		{strings.TrimSuffix(strings.ReplaceAll(strings.TrimPrefix(axes(6), "matrix:\n"), "\n", ", "), ", "), "", ""},
		{strings.TrimSuffix(strings.ReplaceAll(strings.TrimPrefix(axes(10), "matrix:\n"), "\n", ", "), ", "), "", ""},
		{`{a: [1, 2], exclude: [{a: 1}, {a: 2}]}`, `{}`, ""},
		{`{a: &v [1, 2, 3]}`, `{b: *v, tag: "{a}-{b}"}`, "pytorch.matrix.b=[4, 5]"},
		{`{a: [1, 2]}`, `{a: [3]}`, ""},
		{`{python: [3.11, 3.11]}`, `{tag: "{version}"}`, "x.tag=1\n---\nb: 2"},
		{"{a: " + laughs() + "}", "", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, family, own, set string) {
		spec := "matrix: " + family + "\nimages:\n  python:\n    base: debian:bookworm\n    tag: \"1.0\"\n" +
			"  pytorch:\n    from: python\n    matrix: " + own + "\n    pip: [\"torch=={torch}\"]\n  jupyter:\n    from: pytorch\n"
		var opts []Option
		if set != "" {
			opts = append(opts, WithOverrides([]string{set}))
		}
		fam, err := Parse("wsbuild.yaml", []byte(spec), opts...)
		checkParsed(t, fam, err, map[string]int{"wsbuild.yaml": lineCount([]byte(spec)), OverrideFile: 1})
		if err != nil {
			return
		}
		for _, n := range fam.Names {
			img := fam.Images[n]
			if len(img.Axes) > 0 && img.Name != img.Repository+":"+img.Tag {
				t.Errorf("variant %q is not named REPOSITORY:TAG (%q, %q)", n, img.Repository, img.Tag)
			}
			if p := fam.Images[img.From]; p != nil && !slices.Equal(p.Axes, img.Axes[:min(len(p.Axes), len(img.Axes))]) {
				t.Errorf("variant %q (%v) is built on %q (%v), which has other axis values", n, img.Axes, img.From, p.Axes)
			}
		}
	})
}
