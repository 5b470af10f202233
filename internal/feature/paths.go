package feature

import (
	"fmt"
	"io/fs"

	"github.com/wsbuild/wsbuild/templates"
)

// Paths shared by the features' files.
const (
	// ProgramDir holds the scripts supervisord (or the image) runs.
	ProgramDir = "/usr/local/lib/wsbuild"
	// InitDir holds the scripts the entrypoint sources at start.
	InitDir = "/etc/wsbuild/init.d"
)

// Script returns the check script templates/files/checks/name. It panics
// when the script is missing: the scripts are embedded, so a missing one is
// a programming mistake that every test finds.
func Script(name string) string {
	b, err := fs.ReadFile(templates.Files, "files/checks/"+name)
	if err != nil {
		panic(fmt.Sprintf("feature: check script %s: %v", name, err))
	}
	return string(b)
}
