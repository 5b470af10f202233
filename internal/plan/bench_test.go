package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// matrixSpec generates a family of n declared images in chains of five, each
// in four variants (two Pythons, CPU and CUDA 12.4): 4n planned images.
func matrixSpec(n int) []byte {
	var b strings.Builder
	b.WriteString("matrix:\n  python: [\"3.11\", \"3.12\"]\n  cuda: [false, \"12.4\"]\nimages:\n")
	for i := range n {
		fmt.Fprintf(&b, "  img%d:\n", i)
		if i%5 == 0 {
			b.WriteString("    base: debian:bookworm\n    env: {PY: \"{python}\"}\n")
		} else {
			fmt.Fprintf(&b, "    from: img%d\n    apt: [pkg%d]\n    labels: {v: \"py{python}-{cuda}\"}\n", i-1, i)
		}
	}
	b.WriteString("push:\n  - {registry: reg.example, namespace: lab}\n")
	return []byte(b.String())
}

var matrixSizes = []int{125, 250, 500}

// BenchmarkPlanMatrix times plan.New on generated matrix families.
func BenchmarkPlanMatrix(b *testing.B) {
	for _, n := range matrixSizes {
		f, err := spec.Parse("wsbuild.yaml", matrixSpec(n))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("images=%d", n), func(b *testing.B) {
			for b.Loop() {
				p, err := New(f)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Nodes) != 4*n {
					b.Fatalf("%d nodes, want %d", len(p.Nodes), 4*n)
				}
			}
		})
	}
}

// BenchmarkParseMatrix times loading the same families, where the matrix is
// expanded.
func BenchmarkParseMatrix(b *testing.B) {
	for _, n := range matrixSizes {
		data := matrixSpec(n)
		b.Run(fmt.Sprintf("images=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := spec.Parse("wsbuild.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
