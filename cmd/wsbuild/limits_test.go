package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestMaxImagesFlag checks that --max-images raises the limit a matrix
// meets, for every command that reads a spec.
func TestMaxImagesFlag(t *testing.T) {
	offline(t)
	vals := make([]string, 40)
	for i := range vals {
		vals[i] = fmt.Sprint(i)
	}
	list := "[" + strings.Join(vals, ", ") + "]"
	big := writeSpec(t, "matrix:\n  a: "+list+"\n  b: "+list+"\nimages:\n  python:\n    base: debian:bookworm\n")
	runExitCases(t, []exitCase{
		{"over the default", []string{"validate", "-f", big}, 2,
			big + ":1: matrix: axes a (40) x b (40) make 1600 combinations of the family matrix (counted before exclude), more than the 1000 images a family may have (wsbuild's --max-images raises the limit)"},
		{"raised", []string{"validate", "-f", big, "--max-images", "1600"}, 0, ""},
		{"over the default in build", []string{"build", "-f", big}, 2, "--max-images raises the limit"},
		{"raised in build, which then resolves the base", []string{"build", "-f", big, "--max-images", "2000"}, 1, `resolving base image "debian:bookworm"`},
		{"not a number of images", []string{"validate", "-f", big, "--max-images", "-1"}, 2, "-1 is not a positive number of images"},
	})
}
