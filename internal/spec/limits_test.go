package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// laughs is a list of nine levels of aliases, each naming the one before
// nine times, written as YAML flow lists (a "billion laughs"): 9^9 nodes
// expanded from under 400 bytes.
func laughs() string {
	var b strings.Builder
	b.WriteString("[&a0 [x, x, x, x, x, x, x, x, x]")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, ", &a%d [%s]", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", "))
	}
	return b.String() + "]"
}

// limitCase is a spec, with options, that must fail with exactly the
// messages in want (a message ending in "..." matches those it prefixes).
type limitCase struct {
	name string
	yaml string
	opts []Option
	want []string
}

func runLimitCases(t *testing.T, cases []limitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("wsbuild.yaml", []byte(tc.yaml), tc.opts...)
			checkErrs(t, err, tc.want)
		})
	}
}

// checkErrs checks that err is an ErrorList of exactly the messages in want.
func checkErrs(t *testing.T, err error, want []string) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T) is not an ErrorList", err, err)
	}
	got := make([]string, len(list))
	for i, e := range list {
		got[i] = e.Error()
	}
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		prefix, isPrefix := strings.CutSuffix(w, "...")
		if got[i] != w && !(isPrefix && strings.HasPrefix(got[i], prefix)) {
			t.Errorf("error %d:\n got %s\nwant %s", i, got[i], w)
		}
	}
}

// repeatLines writes line, formatted with its index, n times under head.
func repeatLines(head, line string, n int) string {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, line, i)
	}
	return b.String()
}

// axes writes a family matrix of n axes of ten values each.
func axes(n int) string {
	return repeatLines("matrix:\n", "  ax%d: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n", n)
}

// manyImages declares n images.
func manyImages(n int) string {
	return repeatLines("images:\n", "  i%d: {base: debian:bookworm}\n", n)
}

const twoVariants = "matrix: {python: [\"3.11\", \"3.12\"]}\n"

func TestAliasLimits(t *testing.T) {
	runLimitCases(t, []limitCase{
		{name: "billion laughs in the spec", yaml: twoVariants + base + "    apt: " + laughs() + "\n",
			want: []string{"wsbuild.yaml:5: images.x.apt.5.0: alias *a4 expands to 66430 YAML nodes; with the aliases before it that is more than the 100000 nodes a spec's aliases may add (aliases of aliases multiply)"}},
		{name: "billion laughs in --set", yaml: twoVariants + base, opts: []Option{WithOverrides([]string{"x.apt=" + laughs()})},
			want: []string{"--set:1: images.x.apt.5.0: alias *a4 expands to 66430 YAML nodes; with the aliases before it that is more than the 100000 nodes a spec's aliases may add (aliases of aliases multiply)"}},
		{name: "billion laughs in an override file", yaml: twoVariants + base,
			opts: []Option{WithOverrideList([]Override{{Value: "x.apt=" + laughs(), Pos: Position{File: "o.sets", Line: 3}}})},
			want: []string{"o.sets:3: images.x.apt.5.0: alias *a4 expands to 66430 YAML nodes..."}},
		{name: "an alias naming what holds it", yaml: twoVariants + "images:\n  x: &x\n    base: debian:bookworm\n    test: [*x]\n",
			want: []string{"wsbuild.yaml:5: images.x.test.0: alias *x names a mapping that contains the alias itself: it would never end"}},
		{name: "an alias naming what holds it in --set", yaml: base, opts: []Option{WithOverrides([]string{"x.labels=&l {a: *l}"})},
			want: []string{"--set:1: images.x.labels.a: alias *l names a mapping that contains the alias itself: it would never end"}},
	})
}

func TestAliasesWithinLimitsStillWork(t *testing.T) {
	fam, err := Parse("wsbuild.yaml", []byte(twoVariants+"images:\n  x:\n    base: debian:bookworm\n    apt: &pk [git, less]\n  y:\n    from: x\n    apt: *pk\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fam.Images["y:latest-py3.12"]; got == nil || len(got.Apt) != 2 {
		t.Errorf("images: %v", fam.Names)
	}
}

func TestSizeLimits(t *testing.T) {
	// 20,000 comment lines of 64 bytes: the limit falls at the end of line
	// 16,384, so on the next.
	big := strings.Repeat("# "+strings.Repeat("x", 61)+"\n", 20000)
	runLimitCases(t, []limitCase{
		{name: "spec over MaxSpecBytes", yaml: big,
			want: []string{"wsbuild.yaml:16385: the spec is longer than 1048576 bytes (1 MiB), the most wsbuild reads; it passes that limit on this line"}},
	})
	_, err := ReadOverrides("o.sets", []byte(big))
	checkErrs(t, err, []string{"o.sets:16385: the override file is longer than 1048576 bytes (1 MiB), the most wsbuild reads; it passes that limit on this line"})
}

// TestLoadReadsNoFurtherThanTheLimit gives Load and ReadOverrideFile a
// sparse file of 64 MiB: they refuse it at the limit's line.
func TestLoadReadsNoFurtherThanTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 64<<20); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, nil)
	checkErrs(t, err, []string{path + ":4: the spec is longer than 1048576 bytes (1 MiB)..."})
	_, err = ReadOverrideFile(path)
	checkErrs(t, err, []string{path + ":4: the override file is longer than 1048576 bytes (1 MiB)..."})
}

func TestImageLimits(t *testing.T) {
	bigImage := "images:\n  x:\n    base: debian:bookworm\n    apt: [" + strings.TrimSuffix(strings.Repeat("git, ", 2000), ", ") + "]\n"
	runLimitCases(t, []limitCase{
		{name: "declared images over the default", yaml: manyImages(1001),
			want: []string{"wsbuild.yaml:1: images: declares 1001 images, more than the 1000 a family may have (wsbuild's --max-images raises the limit)"}},
		{name: "declared images over a limit given", yaml: manyImages(4), opts: []Option{WithMaxImages(3)},
			want: []string{"wsbuild.yaml:1: images: declares 4 images, more than the 3 a family may have (wsbuild's --max-images raises the limit)"}},
		{name: "six axes of ten values", yaml: axes(6) + base,
			want: []string{"wsbuild.yaml:1: matrix: axes ax0 (10) x ax1 (10) x ax2 (10) x ax3 (10) x ax4 (10) x ax5 (10) make 1000000 combinations of the family matrix (counted before exclude), more than the 1000 images a family may have (wsbuild's --max-images raises the limit)"}},
		{name: "sixty axes of ten values", yaml: axes(60) + base,
			want: []string{"wsbuild.yaml:1: matrix: axes ax0 (10) x ax1 (10) x ..."}},
		{name: "an image's axes over what the images before it left", yaml: manyImages(5) + "  y:\n    from: i0\n    matrix: {a: [1, 2, 3], b: [1, 2]}\n",
			opts: []Option{WithMaxImages(10)},
			want: []string{`wsbuild.yaml:9: images.y.matrix: axes a (3) x b (2) make 6 combinations of image "y" (counted before exclude), with the 5 images before them, more than the 10 images a family may have (wsbuild's --max-images raises the limit)`}},
		{name: "an image inheriting the family's axes", yaml: "matrix: {a: [1, 2, 3]}\n" + manyImages(2),
			opts: []Option{WithMaxImages(5)},
			want: []string{`wsbuild.yaml:4: images.i1: axes a (3) make 3 combinations of image "i1" (counted before exclude), with the 3 images before them, more than the 5 images a family may have (wsbuild's --max-images raises the limit)`}},
		{name: "variants copying too many nodes", yaml: "matrix: {a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], c: [0, 1, 2, 3, 4, 5]}\n" + bigImage,
			want: []string{"wsbuild.yaml:3: images.x: its 600 variants would copy 1203000 YAML nodes (2005 each, aliases expanded); the variants of a family may copy 1000000 in all, 1000 per image it may have (wsbuild's --max-images raises the limit)"}},
	})
}

func TestMaxImagesRaisesTheLimit(t *testing.T) {
	fam, err := Parse("wsbuild.yaml", []byte(axes(4)+base), WithMaxImages(10000))
	if err != nil {
		t.Fatal(err)
	}
	if len(fam.Names) != 10000 {
		t.Errorf("got %d images, want 10000", len(fam.Names))
	}
	if err := WithMaxImages(0)(&options{}); err == nil {
		t.Error("WithMaxImages(0): no error")
	}
}
