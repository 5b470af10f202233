package change

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wsbuild/wsbuild/internal/plan"
)

// Reason says in words how c changed the planned image n: `apt: +git -vim`,
// `env.DEBUG: "0" -> "1"`, `base "debian:bookworm" now resolves to sha256:…
// (was sha256:…)`; for a change whose old value is unknown, what Describe
// says of its input.
func Reason(n *plan.Node, c Change) string {
	if !c.Known() {
		return Describe(n, c.Input)
	}
	switch {
	case c.Input == "parent", c.Input == "requirements", strings.HasPrefix(c.Input, plan.FileInput):
		// Digests of other images and files say nothing to a reader.
		return Describe(n, c.Input)
	case c.Input == "baseDigest" && c.Old != nil && c.New != nil:
		return fmt.Sprintf("%s (was %s)", Describe(n, c.Input), Show(c.Old))
	case c.Input == "version" || c.Input == "platform":
		return fmt.Sprintf("%s: %s -> %s", Describe(n, c.Input), jsonOrUnset(c.Old), jsonOrUnset(c.New))
	}
	if len(c.Added) > 0 || len(c.Removed) > 0 {
		items := make([]string, 0, len(c.Added)+len(c.Removed))
		for _, v := range c.Added {
			items = append(items, "+"+Show(v))
		}
		for _, v := range c.Removed {
			items = append(items, "-"+Show(v))
		}
		return c.Field + ": " + strings.Join(items, " ")
	}
	return fmt.Sprintf("%s: %s -> %s", c.Field, jsonOrUnset(c.Old), jsonOrUnset(c.New))
}

// jsonOrUnset shows a value as JSON, strings quoted: "3.11", 5900, true.
func jsonOrUnset(v json.RawMessage) string {
	if v == nil {
		return "(unset)"
	}
	return string(v)
}

// Show writes a JSON value for a reader: a plain string (no spaces, quotes,
// commas, semicolons or brackets, and not empty) bare, anything else as
// JSON.
func Show(v json.RawMessage) string {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return string(bytes.TrimSpace(v))
	}
	if s == "" || strings.ContainsAny(s, " \t\n\"',;[]{}") {
		return string(mustJSON(s))
	}
	return s
}
