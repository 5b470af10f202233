package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// planEntry is one image of `wsbuild plan -o json`.
type planEntry struct {
	Name        string   `json:"name"`
	Parent      string   `json:"parent,omitempty"`
	Base        string   `json:"base"`
	BaseDigest  string   `json:"baseDigest,omitempty"`
	InputDigest string   `json:"inputDigest"`
	Refs        []string `json:"refs"`
}

// runPlan prints what a build would do, in build order.
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var sf specFlags
	var df daemonFlags
	var ef epochFlag
	var output string
	fs := newFlags("plan", "plan [-f FILE] [-o text|json] [IMAGE...]", stdout)
	sf.register(fs)
	df.register(fs)
	ef.register(fs)
	fs.StringVarP(&output, "output", "o", "text", "output format: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if output != "text" && output != "json" {
		return usageError{fmt.Errorf("unknown output format %q (want text or json)", output)}
	}
	o, err := df.options(sf, stderr)
	if err != nil {
		return err
	}
	o.Images = fs.Args()
	if err := ef.apply(&o); err != nil {
		return err
	}
	f, err := pipeline.Load(o)
	if err != nil {
		return err
	}
	p, err := pipeline.Check(f, o)
	if err != nil {
		return err
	}
	s, err := pipeline.Open(ctx, o)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	planned, err := pipeline.Resolve(ctx, s.Solver, p, o)
	if err != nil {
		return err
	}
	entries := planEntries(planned.Plan)
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tIMAGE\tPARENT\tBASE\tINPUT DIGEST\tREFS")
	for i, e := range entries {
		parent := e.Parent
		if parent == "" {
			parent = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", i+1, e.Name, parent, e.Base, e.InputDigest, strings.Join(e.Refs, " "))
	}
	return tw.Flush()
}

func planEntries(p *plan.Plan) []planEntry {
	var out []planEntry
	for _, n := range p.Nodes {
		e := planEntry{Name: n.Name, Base: n.Base, InputDigest: n.InputDigest.String(), Refs: []string{}}
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
	return out
}
