package solve

import (
	"errors"
	"testing"
)

func TestStepErrorMessage(t *testing.T) {
	bkErr := errors.New(`process "/bin/sh -c exit 3" did not complete successfully: exit code: 3`)
	for _, tc := range []struct {
		name string
		err  *StepError
		want string
	}{
		{"exit code and output", &StepError{Step: "[x] step: s", ExitCode: 3, Output: []string{"one", "two"}, Err: bkErr},
			"step \"[x] step: s\" failed with exit code 3; its last lines:\n    one\n    two"},
		{"no output", &StepError{Step: "[x] step: s", ExitCode: 3, Err: bkErr}, `step "[x] step: s" failed with exit code 3`},
		{"no exit code", &StepError{Step: "[x] copy a -> b", ExitCode: -1, Err: errors.New("not found")},
			`step "[x] copy a -> b" failed: not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
			if !errors.Is(tc.err, tc.err.Err) {
				t.Error("StepError does not unwrap to BuildKit's error")
			}
		})
	}
}
