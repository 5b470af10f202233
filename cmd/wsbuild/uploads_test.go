package main

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// countUploads routes go-containerregistry's default transport, which the
// CLI uses, through an upload counter for the rest of the test.
func countUploads(t *testing.T) *rig.UploadCounter {
	c := &rig.UploadCounter{Next: remote.DefaultTransport}
	remote.DefaultTransport = c
	t.Cleanup(func() { remote.DefaultTransport = c.Next })
	return c
}
