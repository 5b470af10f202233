package solve

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	bk "github.com/moby/buildkit/client/llb"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/opencontainers/go-digest"
)

// StepError is a build step of an image that failed.
type StepError struct {
	// Step is the step's name as progress shows it, such as
	// "[notebook] step: clone the project".
	Step string
	// ExitCode is the step's exit code; -1 when BuildKit did not say.
	ExitCode int
	// Output holds the last lines the step wrote (standard output and
	// standard error), oldest first.
	Output []string
	// Err is BuildKit's error.
	Err error
}

// Error names the step, its exit code and its last lines of output.
func (e *StepError) Error() string {
	var b strings.Builder
	if e.ExitCode >= 0 {
		fmt.Fprintf(&b, "step %q failed with exit code %d", e.Step, e.ExitCode)
	} else {
		fmt.Fprintf(&b, "step %q failed: %v", e.Step, e.Err)
	}
	if len(e.Output) > 0 {
		b.WriteString("; its last lines:")
		for _, l := range e.Output {
			b.WriteString("\n    " + l)
		}
	}
	return b.String()
}

// Unwrap returns BuildKit's error.
func (e *StepError) Unwrap() error { return e.Err }

// exitCodeText is how BuildKit's message of a failed process ends.
var exitCodeText = regexp.MustCompile(`exit code: (\d+)\s*$`)

// stepError names the step of def that err says failed, when BuildKit says
// which vertex it was and def names it; else it returns nil. d is the
// failed vertex.
func stepError(def *bk.Definition, err error) (se *StepError, d digest.Digest) {
	var ve *errdefs.VertexError
	if !errors.As(err, &ve) || ve.Vertex == nil {
		return nil, ""
	}
	d = digest.Digest(ve.Digest)
	md, ok := def.Metadata[d]
	if !ok || md.Description["llb.customname"] == "" {
		return nil, ""
	}
	se = &StepError{Step: md.Description["llb.customname"], ExitCode: -1, Err: err}
	var ee *gwpb.ExitError
	if errors.As(err, &ee) {
		se.ExitCode = int(ee.ExitCode)
	} else if m := exitCodeText.FindStringSubmatch(err.Error()); m != nil {
		se.ExitCode, _ = strconv.Atoi(m[1])
	}
	return se, d
}

// stepFailure remembers the build step that failed inside a build
// function: the error BuildKit hands back to the client loses any wrapping
// done there.
type stepFailure struct {
	mu     sync.Mutex
	err    *StepError
	vertex digest.Digest
}

// record notes the step of def that err says failed, if any, and returns err.
func (f *stepFailure) record(def *bk.Definition, err error) error {
	se, d := stepError(def, err)
	if se != nil {
		f.mu.Lock()
		f.err, f.vertex = se, d
		f.mu.Unlock()
	}
	return err
}

// wrap returns the recorded step's error, with its last lines of output
// from t (called only once the build ended), or err when no step failed.
func (f *stepFailure) wrap(err error, t func() *tails) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		return err
	}
	f.err.Output = t().lines(f.vertex, f.err.Step)
	return f.err
}
