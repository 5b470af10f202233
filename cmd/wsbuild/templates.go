package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/wsbuild/wsbuild/internal/catalogue"
)

// runTemplates lists the stock catalogue: every template in every leg.
func runTemplates(_ context.Context, args []string, stdout, _ io.Writer) error {
	var output string
	fs := newFlags("templates", "templates [-o text|json]", stdout)
	fs.StringVarP(&output, "output", "o", "text", "output format: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if output != "text" && output != "json" {
		return usageError{fmt.Errorf("unknown output format %q (want text or json)", output)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("templates takes no arguments, got %q", fs.Args())}
	}
	c, err := catalogue.Stock()
	if err != nil {
		return err
	}
	list, err := c.Templates()
	if err != nil {
		return err
	}
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, t := range list {
		desc := t.Description
		if desc == "" {
			desc = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.OS, t.Leg, t.Base, desc)
	}
	return tw.Flush()
}
