package spec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/templates"
	"go.yaml.in/yaml/v3"
)

// chainStartFields are the image fields only the image with base may set:
// os and the features that decide what the chain starts from (cuda).
var chainStartFields = func() []string {
	out := []string{"os"}
	for _, f := range feature.All() {
		if f.ChainStart() {
			out = append(out, f.Key())
		}
	}
	return out
}()

// checkChainStart reports the fields of chainStartFields set on image f,
// which builds on another image of the family; set holds the fields f sets.
func (d *decoder) checkChainStart(f field, set map[string]bool) {
	if set["base"] || !set["from"] {
		return
	}
	for _, k := range chainStartFields {
		if set[k] {
			p := join(f.path, k)
			d.errorf(d.pos[p], p, "%s is set where the chain starts (the image with base): %s inherits it from its parent", k, f.path)
		}
	}
}

// oneOf returns a check that s is one of allowed.
func oneOf(allowed []string) func(string) (string, error) {
	check := "oneof=" + strings.Join(allowed, " ")
	return func(s string) (string, error) { return feature.CheckString(check, s) }
}

func checkOS(s string) (string, error) {
	known := templates.OSNames()
	if slices.Contains(known, s) {
		return s, nil
	}
	msg := fmt.Sprintf("unknown OS %q", s)
	if sg := closest(s, known); sg != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sg)
	}
	return s, fmt.Errorf("%s; known: %s", msg, strings.Join(known, ", "))
}

// checkCommand is the feature package's "command" check, for test:.
func checkCommand(s string) (string, error) { return feature.CheckString("command", s) }

// isBool reports whether n is a YAML boolean, and its value.
func isBool(n *yaml.Node) (value, ok bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&value) != nil {
		return false, false
	}
	return value, true
}

// isText reports whether n is a string or a number, taken as written.
func isText(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.ShortTag() {
	case "!!str", "!!int", "!!float":
		return true
	}
	return false
}

// port decodes a port number, 1-65535; 0 when absent or on a problem.
func (d *decoder) port(f field) int {
	v, ok := d.integer(f)
	if !ok {
		return 0
	}
	if v < 1 || v > 65535 {
		d.fail(f, "invalid port %d: must be 1-65535", v)
		return 0
	}
	return v
}

// toggle decodes the true/false/mapping form of a feature's key: it reports whether the feature is on and, for a mapping, returns
// its pairs (known lists the mapping's keys, expected describes the forms).
func (d *decoder) toggle(f field, expected string, known []string) (on bool, pairs []field) {
	if isNull(f.val) {
		return false, nil
	}
	if b, ok := isBool(f.val); ok {
		return b, nil
	}
	if f.val.Kind != yaml.MappingNode {
		d.fail(f, "expected true, false or %s, got %s", expected, describe(f.val))
		return false, nil
	}
	return true, d.mapping(f, expected, known)
}

// tests decodes test: a list of commands, or one command as a string.
func (d *decoder) tests(f field) []string {
	if f.val.Kind == yaml.ScalarNode && f.val.ShortTag() == "!!str" {
		s, err := checkCommand(f.val.Value)
		if err != nil {
			d.fail(f, "%v", err)
			return nil
		}
		return []string{s}
	}
	if f.val.Kind != yaml.SequenceNode && !isNull(f.val) {
		d.fail(f, "expected a command string or a list of commands, got %s", describe(f.val))
		return nil
	}
	return d.strList(f, "a list of commands", "a command string", checkCommand)
}
