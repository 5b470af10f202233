package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// planEntry is one image of `wsbuild plan -o json`.
type planEntry struct {
	Name        string            `json:"name"`
	Repository  string            `json:"repository"`
	Axes        map[string]string `json:"axes,omitempty"`
	Parent      string            `json:"parent,omitempty"`
	Base        string            `json:"base"`
	BaseDigest  string            `json:"baseDigest,omitempty"`
	InputDigest string            `json:"inputDigest"`
	Refs        []string          `json:"refs"`
	// Spec is the image's settings after inheritance.
	Spec *specView `json:"spec,omitempty"`
	// With --why: what a `build --push` would do, and why.
	Action  change.Action `json:"action,omitempty"`
	Reasons []string      `json:"reasons,omitempty"`
	Changed []string      `json:"changed,omitempty"`
	// Changes say per field how each input of Changed changed.
	Changes []change.Change `json:"changes,omitempty"`
	// Digest is the manifest digest the tags hold, when skipped.
	Digest string `json:"digest,omitempty"`
}

// planFormats are the values of plan's -o flag.
var planFormats = []string{"text", "json", "dot", "mermaid", "bake"}

// runPlan prints what a build would do, in build order.
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf specFlags
	var df daemonFlags
	var ef imageFlags
	var rf registryFlags
	var o pipeline.Options
	var output string
	var showSpec bool
	fs := newFlags("plan", "plan "+specSynopsis+" "+daemonSynopsis+synopsisIndent+
		"[--why [--force]] [-o text|json|dot|mermaid|bake] [--show-spec] "+imageSynopsis+" [--with-dependents]"+synopsisIndent+registrySynopsis+synopsisIndent+"[IMAGE...]", stdout)
	sf.register(fs)
	df.register(fs)
	ef.register(fs)
	rf.register(fs)
	fs.StringVarP(&output, "output", "o", "text", "output format: text, json, dot, mermaid, or bake (a buildx bake file building the family with the wsbuild frontend)")
	fs.BoolVar(&o.Why, "why", false, "look up every tag and say for each image whether 'build --push' builds or skips it, and which input changed")
	fs.BoolVar(&o.Force, "force", false, "with --why: plan as 'build --push --force' would")
	fs.BoolVar(&o.WithDependents, "with-dependents", false, "also plan every image built on a named one")
	fs.BoolVar(&showSpec, "show-spec", false, "with -o text: also print each image's settings after inheritance (-o json always has them)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains(planFormats, output) {
		return usageError{fmt.Errorf("unknown output format %q (want text, json, dot, mermaid or bake)", output)}
	}
	sf.apply(&o)
	if err := df.apply(&o, stderr); err != nil {
		return err
	}
	if err := ef.apply(&o); err != nil {
		return err
	}
	if err := rf.apply(&o); err != nil {
		return err
	}
	o.Images = fs.Args()
	r, err := pipeline.New()
	if err != nil {
		return err
	}
	planned, err := r.Plan(ctx, o)
	if err != nil {
		return err
	}
	entries, err := planEntries(planned.Plan)
	if err != nil {
		return err
	}
	addDecisions(entries, planned.Decisions)
	if output == "bake" {
		return writeBake(stdout, o.SpecFile, entries)
	}
	return writePlan(stdout, output, entries, showSpec)
}

func planEntries(p *plan.Plan) ([]planEntry, error) {
	var out []planEntry
	for _, n := range p.Nodes {
		view, err := newSpecView(n)
		if err != nil {
			return nil, err
		}
		e := planEntry{Name: n.Name, Repository: n.Repository, Base: n.Base, InputDigest: n.InputDigest.String(), Refs: []string{}, Spec: view}
		if len(n.Axes) > 0 {
			e.Axes = map[string]string{}
			for _, a := range n.Axes {
				e.Axes[a.Name] = a.Value
			}
		}
		if n.Parent != nil {
			e.Parent = n.Parent.Name
		}
		if n.BaseDigest != "" {
			e.BaseDigest = n.BaseDigest.String()
		}
		for _, r := range n.Refs {
			e.Refs = append(e.Refs, r.Name)
		}
		out = append(out, e)
	}
	return out, nil
}

func addDecisions(entries []planEntry, decisions []change.Decision) {
	for i, d := range decisions {
		e := &entries[i]
		e.Action, e.Reasons, e.Changed, e.Changes = d.Action, d.Reasons, d.Changed, d.Changes
		if d.Action == change.Skip {
			e.Digest = d.Existing.String()
		}
	}
}

// writePlan prints entries in format; with showSpec, text output also
// prints each image's settings (JSON always has them).
func writePlan(w io.Writer, format string, entries []planEntry, showSpec bool) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	case "dot":
		return writeDot(w, entries)
	case "mermaid":
		return writeMermaid(w, entries)
	}
	if err := writeText(w, entries); err != nil {
		return err
	}
	if showSpec {
		return writeSpecs(w, entries)
	}
	return nil
}
