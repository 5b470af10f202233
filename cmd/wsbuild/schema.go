package main

import (
	"context"
	"io"

	"github.com/wsbuild/wsbuild/templates"
)

// runSchema prints the JSON Schema of spec files, for editors.
func runSchema(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("schema", "schema > wsbuild.schema.json", stdout)
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := stdout.Write(templates.SchemaJSON)
	return err
}
