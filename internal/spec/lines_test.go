package spec

import "testing"

// TestSyntaxLines checks that YAML problems are reported at their own line.
func TestSyntaxLines(t *testing.T) {
	runErrCases(t, []errCase{
		{name: "invalid UTF-8", yaml: base + "    labels: {a: \"x\xff\"}\n",
			want: []string{"wsbuild.yaml:4: invalid YAML: not valid UTF-8: byte 0xff in column 19"}},
		{name: "invalid UTF-8 after multibyte characters", yaml: base + "    labels: {a: \"é\xc3\"}\n",
			want: []string{"wsbuild.yaml:4: invalid YAML: not valid UTF-8: byte 0xc3 in column 19"}},
		{name: "invalid UTF-8 after CR line breaks", yaml: "images:\r  x:\r    base: debian:bookworm\r    labels: {a: \"x\xff\"}\r",
			want: []string{"wsbuild.yaml:4: invalid YAML: not valid UTF-8: byte 0xff in column 19"}},
		{name: "over-indented key after CRLF line breaks", yaml: "images:\r\n  x:\r\n    base: debian:bookworm\r\n    apt: [git]\r\n     tag: x\r\n",
			want: []string{"wsbuild.yaml:5: invalid YAML: did not find expected key"}},
		{name: "over-indented key after LS line breaks", yaml: "images:\n  x:\n    base: debian:bookworm\n    env: {A: \"a\u2028b\"}\n    apt: [git]\n     tag: x\n",
			want: []string{"wsbuild.yaml:7: invalid YAML: did not find expected key"}},
		{name: "over-indented key", yaml: base + "    apt: [git]\n     tag: x\n",
			want: []string{"wsbuild.yaml:5: invalid YAML: did not find expected key"}},
		{name: "over-indented key after blank lines", yaml: base + "\n\n    apt:\n      [git]\n         tag: x\n",
			want: []string{"wsbuild.yaml:8: invalid YAML: did not find expected key"}},
		{name: "over-indented key in a later image", yaml: base + "  y:\n    from: x\n    apt: [git]\n      tag: x\n",
			want: []string{"wsbuild.yaml:7: invalid YAML: did not find expected key"}},
	})
}

func TestSetSecondDocument(t *testing.T) {
	runErrCases(t, []errCase{
		{name: "second document", yaml: base, sets: []string{"x.tag=1\n---\nb: 2"},
			want: []string{`--set:1: images.x.tag: invalid value "1\n---\nb: 2": it holds a second YAML document (at its line 2); a value is one YAML value`}},
		{name: "empty second document", yaml: base, sets: []string{"x.apt=[git]\n---\n"},
			want: []string{`--set:1: images.x.apt: invalid value "[git]\n---": it holds a second YAML document (at its line 2); a value is one YAML value`}},
	})
}

func TestImageFieldAtImageLevel(t *testing.T) {
	runErrCases(t, []errCase{
		{name: "feature", yaml: base + "  jupyter:\n    lab: true\n",
			want: []string{"wsbuild.yaml:4: images.jupyter: jupyter is an image field, not an image (it sets neither base nor from): indent it under images.x, as images.x.jupyter"}},
		{name: "core field as a list", yaml: base + "  apt: [git]\n",
			want: []string{"wsbuild.yaml:4: images.apt: apt is an image field, not an image (it sets neither base nor from): indent it under images.x, as images.x.apt"}},
		{name: "matrix", yaml: base + "  matrix: {python: [\"3.11\"]}\n",
			want: []string{"wsbuild.yaml:4: images.matrix: matrix is an image field, not an image (it sets neither base nor from): indent it under images.x, as images.x.matrix, or, for the family matrix, at the top beside images:"}},
		{name: "first entry", yaml: "images:\n  python: \"3.11\"\n  x:\n    base: debian:bookworm\n",
			want: []string{"wsbuild.yaml:2: images.python: python is an image field, not an image (it sets neither base nor from): indent it under the image it belongs to, as images.IMAGE.python"}},
	})
	if _, err := Parse("wsbuild.yaml", []byte(base+"  jupyter:\n    from: x\n    jupyter: {lab: true}\n")); err != nil {
		t.Errorf("an image named jupyter: %v", err)
	}
}
