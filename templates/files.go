package templates

import "embed"

// Files holds what the workstation features drop into images, under files/:
// init.sh (the entrypoint), init.d/*.sh (sourced by it, one per feature),
// bin/* (the programs supervisord runs), supervisord.conf, and the text
// templates program.conf.tmpl and sshd_config.tmpl.
//
//go:embed files
var Files embed.FS

// SchemaJSON is the JSON Schema of spec files (wsbuild.schema.json), which
// internal/spec generates from the registered features; a test keeps the
// two equal.
//
//go:embed wsbuild.schema.json
var SchemaJSON []byte
