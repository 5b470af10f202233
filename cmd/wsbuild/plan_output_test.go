package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/change"
)

func sampleEntries() []planEntry {
	return []planEntry{
		{Name: "python", Base: "debian:bookworm", InputDigest: "sha256:1", Refs: []string{"r/python:1"}, Action: change.Skip, Digest: "sha256:aa"},
		{Name: "tools", Parent: "python", Base: "debian:bookworm", InputDigest: "sha256:2", Refs: []string{"r/tools:1"},
			Action: change.Build, Reasons: []string{`file "notes.txt" changed`}},
	}
}

func TestPlanFormats(t *testing.T) {
	tests := map[string][]string{
		"text": {
			"python  skip    -", "tools   build   python",
			"python: skip: every tag holds sha256:aa", `tools: build: file "notes.txt" changed`,
		},
		"dot": {
			`"debian:bookworm" -> "python";`, `"python" -> "tools";`,
			`"tools" [label="tools\nbuild: file \"notes.txt\" changed", fillcolor=mistyrose];`,
			`"python" [label="python\nskip", fillcolor=palegreen];`,
		},
		"mermaid": {
			"flowchart LR", `n0(["debian:bookworm"])`, "n0 --> n1", "n1 --> n2",
			`n2["tools<br/>build: file #quot;notes.txt#quot; changed"]`, "class n1 skip", "class n2 build",
		},
		"json": {`"action": "skip"`, `"digest": "sha256:aa"`, `"reasons": [`},
	}
	for format, wants := range tests {
		var out bytes.Buffer
		if err := writePlan(&out, format, sampleEntries(), false); err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !strings.Contains(out.String(), w) {
				t.Errorf("-o %s lacks %q:\n%s", format, w, out.String())
			}
		}
	}
}

func TestPlanWithoutWhyHasNoActions(t *testing.T) {
	entries := sampleEntries()
	for i := range entries {
		entries[i].Action, entries[i].Reasons, entries[i].Digest = "", nil, ""
	}
	for _, format := range []string{"text", "dot", "mermaid", "json"} {
		var out bytes.Buffer
		if err := writePlan(&out, format, entries, false); err != nil {
			t.Fatal(err)
		}
		if s := out.String(); strings.Contains(s, "skip") || strings.Contains(s, "build:") || strings.Contains(s, "class") || strings.Contains(s, "action") {
			t.Errorf("-o %s without --why shows actions:\n%s", format, s)
		}
	}
}
