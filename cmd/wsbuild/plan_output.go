package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wsbuild/wsbuild/internal/change"
)

// writeText prints one row per image and, with decisions, the reasons below it.
func writeText(w io.Writer, entries []planEntry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	withWhy := hasDecisions(entries)
	if withWhy {
		fmt.Fprintln(tw, "#\tIMAGE\tACTION\tPARENT\tBASE\tINPUT DIGEST\tREFS")
	} else {
		fmt.Fprintln(tw, "#\tIMAGE\tPARENT\tBASE\tINPUT DIGEST\tREFS")
	}
	for i, e := range entries {
		parent := e.Parent
		if parent == "" {
			parent = "-"
		}
		action := ""
		if withWhy {
			action = string(e.Action) + "\t"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s%s\t%s\t%s\t%s\n", i+1, e.Name, action, parent, e.Base, e.InputDigest, strings.Join(e.Refs, " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !withWhy {
		return nil
	}
	fmt.Fprintln(w)
	for _, e := range entries {
		if e.Action == change.Skip {
			fmt.Fprintf(w, "%s: skip: every tag holds %s\n", e.Name, e.Digest)
			continue
		}
		fmt.Fprintf(w, "%s: build: %s\n", e.Name, strings.Join(e.Reasons, "; "))
	}
	return nil
}

// hasDecisions reports whether entries carry plan --why's actions.
func hasDecisions(entries []planEntry) bool {
	return len(entries) > 0 && entries[0].Action != ""
}

// writeDot prints the family as a Graphviz digraph: bases, images, and
// parent edges; with decisions, built images are filled red and skipped
// ones green, and each label carries the reasons.
func writeDot(w io.Writer, entries []planEntry) error {
	var b strings.Builder
	b.WriteString("digraph wsbuild {\n  rankdir=LR;\n  node [shape=box, style=filled, fillcolor=white];\n")
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Parent == "" && !seen[e.Base] {
			seen[e.Base] = true
			fmt.Fprintf(&b, "  %s [shape=ellipse, fillcolor=lightgrey];\n", dotQuote(e.Base))
		}
		label, fill := e.Name, "white"
		switch e.Action {
		case change.Build:
			label, fill = e.Name+"\nbuild: "+strings.Join(e.Reasons, "\n"), "mistyrose"
		case change.Skip:
			label, fill = e.Name+"\nskip", "palegreen"
		}
		fmt.Fprintf(&b, "  %s [label=%s, fillcolor=%s];\n", dotQuote(e.Name), dotQuote(label), fill)
		from := e.Parent
		if from == "" {
			from = e.Base
		}
		fmt.Fprintf(&b, "  %s -> %s;\n", dotQuote(from), dotQuote(e.Name))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// writeMermaid prints the family as a Mermaid flowchart, styled like writeDot.
func writeMermaid(w io.Writer, entries []planEntry) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	ids := map[string]string{}
	id := func(name string) string {
		if v, ok := ids[name]; ok {
			return v
		}
		ids[name] = fmt.Sprintf("n%d", len(ids))
		return ids[name]
	}
	for _, e := range entries {
		if e.Parent == "" {
			if _, ok := ids[e.Base]; !ok {
				fmt.Fprintf(&b, "  %s([%s])\n", id(e.Base), mermaidQuote(e.Base))
			}
		}
		label := e.Name
		switch e.Action {
		case change.Build:
			label += "<br/>build: " + strings.Join(e.Reasons, "<br/>")
		case change.Skip:
			label += "<br/>skip"
		}
		fmt.Fprintf(&b, "  %s[%s]\n", id(e.Name), mermaidQuote(label))
		from := e.Parent
		if from == "" {
			from = e.Base
		}
		fmt.Fprintf(&b, "  %s --> %s\n", id(from), id(e.Name))
		if e.Action != "" {
			fmt.Fprintf(&b, "  class %s %s\n", id(e.Name), e.Action)
		}
	}
	if hasDecisions(entries) {
		b.WriteString("  classDef build fill:#fdd,stroke:#a33\n  classDef skip fill:#dfd,stroke:#3a3\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidQuote quotes a label; Mermaid takes #quot; for a double quote.
func mermaidQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}
