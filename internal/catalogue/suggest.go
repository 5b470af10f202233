package catalogue

import (
	"fmt"

	"github.com/wsbuild/wsbuild/internal/suggest"
)

// didYouMean returns ` (did you mean "NAME"?)` for the candidate closest to
// s, or "".
func didYouMean(s string, candidates []string) string {
	if best := suggest.Closest(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}
