package rig

// Accept -update like every wsbuild test package, so `go test ./... -update` works.
import _ "github.com/wsbuild/wsbuild/internal/golden"
