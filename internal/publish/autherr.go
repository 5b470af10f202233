package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// AuthError is a registry's refusal (401 or 403) told the way a user can
// act on it: which reference, what the registry said, and which
// credentials wsbuild sent and where they came from (never the secret).
type AuthError struct {
	// Action is what was refused: "pushing to", "looking up", "tagging".
	Action string
	// Ref is the reference acted on.
	Ref string
	// Status is the HTTP status, 401 or 403.
	Status int
	// Message is the registry's own, its error codes and messages joined.
	Message string
	// Credentials describes what was sent (see creds.Credential.String).
	Credentials string
}

// Error says what was refused, the registry's words and the credentials.
func (e *AuthError) Error() string {
	return fmt.Sprintf("%s %q: the registry refused it (%d %s: %s); credentials sent: %s",
		e.Action, e.Ref, e.Status, http.StatusText(e.Status), e.Message, e.Credentials)
}

// describer is a keychain that can say which credential it gives a host
// (the creds package's).
type describer interface {
	Describe(host string) string
}

// authError returns err as an *AuthError when a registry refused the
// request (401, 403 or a denied code), with the credentials kc gave ref's
// registry; nil for any other error.
func authError(err error, action, ref, host string, kc authn.Keychain) *AuthError {
	var terr *transport.Error
	if !errors.As(err, &terr) {
		return nil
	}
	denied := terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden
	var msgs []string
	for _, d := range terr.Errors {
		switch d.Code {
		case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
			denied = true
		}
		m := string(d.Code)
		if d.Message != "" {
			m += ": " + d.Message
		}
		if d.Detail != nil {
			m += " (" + detail(d.Detail) + ")"
		}
		msgs = append(msgs, m)
	}
	if !denied {
		return nil
	}
	if len(msgs) == 0 {
		msgs = append(msgs, "no message")
	}
	status := terr.StatusCode
	if status != http.StatusForbidden {
		status = http.StatusUnauthorized
	}
	used := "anonymous"
	if d, ok := kc.(describer); ok {
		used = d.Describe(host)
	} else if kc != nil {
		used = "the keychain wsbuild was given"
	}
	return &AuthError{Action: action, Ref: ref, Status: status, Message: strings.Join(msgs, "; "), Credentials: used}
}

// detail formats a registry error's detail: the access it asked for, as
// distribution lists it ("needs repository:team-b/tool:pull,push"), or the
// detail as JSON.
func detail(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var access []struct{ Type, Name, Action string }
	if json.Unmarshal(raw, &access) != nil || len(access) == 0 || access[0].Type == "" {
		return string(raw)
	}
	var order []string
	actions := map[string][]string{}
	for _, a := range access {
		key := a.Type + ":" + a.Name
		if _, ok := actions[key]; !ok {
			order = append(order, key)
		}
		actions[key] = append(actions[key], a.Action)
	}
	for i, key := range order {
		order[i] = key + ":" + strings.Join(actions[key], ",")
	}
	return "needs " + strings.Join(order, " ")
}
