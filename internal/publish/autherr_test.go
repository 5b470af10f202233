package publish

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// TestAuthErrorSaysWhatWasRefused proves a registry's refusal names the
// reference, the registry's message with the access it asked for, and the
// credentials sent, and that other errors are left alone.
func TestAuthErrorSaysWhatWasRefused(t *testing.T) {
	refused := &transport.Error{StatusCode: http.StatusUnauthorized, Errors: []transport.Diagnostic{{
		Code: transport.UnauthorizedErrorCode, Message: "authentication required",
		Detail: []any{map[string]any{"Type": "repository", "Name": "team-b/tool", "Action": "pull"},
			map[string]any{"Type": "repository", "Name": "team-b/tool", "Action": "push"}},
	}}}
	e := authError(refused, "pushing to", "r.example/team-b/tool:1", "r.example", nil)
	if e == nil {
		t.Fatal("a 401 is not an AuthError")
	}
	want := `pushing to "r.example/team-b/tool:1": the registry refused it (401 Unauthorized: UNAUTHORIZED: authentication required (needs repository:team-b/tool:pull,push)); credentials sent: anonymous`
	if e.Error() != want {
		t.Errorf("got  %s\nwant %s", e, want)
	}
	denied := &transport.Error{StatusCode: http.StatusForbidden, Errors: []transport.Diagnostic{{Code: transport.DeniedErrorCode, Message: "no"}}}
	if e := authError(denied, "tagging", "x", "h", nil); e == nil || e.Status != http.StatusForbidden || !strings.Contains(e.Error(), "403 Forbidden: DENIED: no") {
		t.Errorf("403: %v", e)
	}
	for _, other := range []error{errors.New("connection reset"), &transport.Error{StatusCode: http.StatusInternalServerError}} {
		if e := authError(other, "tagging", "x", "h", nil); e != nil {
			t.Errorf("%v became an AuthError: %v", other, e)
		}
	}
}
