package solve

import (
	"errors"
	"fmt"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/opencontainers/go-digest"
)

// StepError is a build step of an image that failed.
type StepError struct {
	// Step is the step's name as progress shows it, such as
	// "[notebook] step: clone the project".
	Step string
	// Err is BuildKit's error.
	Err error
}

// Error names the step.
func (e *StepError) Error() string { return fmt.Sprintf("step %q failed: %v", e.Step, e.Err) }

// Unwrap returns BuildKit's error.
func (e *StepError) Unwrap() error { return e.Err }

// stepError names the step of def that err says failed, when BuildKit says
// which vertex it was and def names it; else it returns err.
func stepError(def *bk.Definition, err error) error {
	var ve *errdefs.VertexError
	if !errors.As(err, &ve) || ve.Vertex == nil {
		return err
	}
	md, ok := def.Metadata[digest.Digest(ve.Digest)]
	if !ok || md.Description["llb.customname"] == "" {
		return err
	}
	return &StepError{Step: md.Description["llb.customname"], Err: err}
}
