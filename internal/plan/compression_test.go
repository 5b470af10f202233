package plan

import (
	"testing"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// TestCompressionInInputDigest: gzip at its default level leaves input
// digests as they were; zstd, or another level, changes every image's, from
// the spec or from WithCompression (which wins).
func TestCompressionInInputDigest(t *testing.T) {
	const text = "images:\n  a:\n    base: debian:bookworm\n  b:\n    from: a\n"
	digests := func(extra string, opts ...Option) []string {
		t.Helper()
		f, err := spec.Parse("wsbuild.yaml", []byte(text+extra))
		if err != nil {
			t.Fatal(err)
		}
		p, err := New(f, opts...)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range p.Nodes {
			out = append(out, n.InputDigest.String())
		}
		return out
	}
	level := 3
	plain := digests("")
	for _, tc := range []struct {
		name  string
		extra string
		opts  []Option
		same  bool
	}{
		{"gzip named", "compression: gzip\n", nil, true},
		{"zstd", "compression: zstd\n", nil, false},
		{"gzip level", "compression: {type: gzip, level: 3}\n", nil, false},
		{"flag over spec", "compression: zstd\n", []Option{WithCompression(spec.Compression{Type: "gzip"})}, true},
		{"flag", "", []Option{WithCompression(spec.Compression{Type: "zstd", Level: &level})}, false},
	} {
		got := digests(tc.extra, tc.opts...)
		for i := range got {
			if (got[i] == plain[i]) != tc.same {
				t.Errorf("%s: image %d digest %s, default %s; want same=%v", tc.name, i, got[i], plain[i], tc.same)
			}
		}
	}
}
