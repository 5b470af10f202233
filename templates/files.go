package templates

import "embed"

// Files holds what the workstation features drop into images, under files/:
// init.sh (the entrypoint), init.d/*.sh (sourced by it, one per feature),
// bin/* (the programs supervisord runs), supervisord.conf, and the text
// templates program.conf.tmpl and sshd_config.tmpl.
//
//go:embed files
var Files embed.FS
