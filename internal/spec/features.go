package spec

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/templates"
	"go.yaml.in/yaml/v3"
)

// The values an enumerated feature field may take.
var (
	pythonVias  = []string{PythonAuto, PythonDistro, PythonUV}
	cudaFlavors = []string{"runtime", "devel"}
)

var (
	cudaRE  = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	cudnnRE = regexp.MustCompile(`^[0-9]+$`)
)

// chainStartFields are the image fields only the image with base may set.
var chainStartFields = []string{"os", "cuda"}

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

func checkCuda(s string) (string, error) {
	if !cudaRE.MatchString(s) {
		return s, fmt.Errorf(`invalid CUDA version %q: expected major.minor, such as "12.4"`, s)
	}
	return s, nil
}

func checkCudnn(s string) (string, error) {
	if !cudnnRE.MatchString(s) {
		return s, fmt.Errorf("invalid cuDNN version %q: expected a major version such as 9", s)
	}
	return s, nil
}

func checkCommand(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return s, errors.New("empty command")
	}
	return s, nil
}

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

// python decodes python: "3.11", or {version: "3.11", via: auto|distro|uv}.
func (d *decoder) python(f field) (version, via string) {
	if f.val.Kind != yaml.MappingNode {
		if !isNull(f.val) && !isText(f.val) {
			d.fail(f, `expected a version such as "3.11" or a mapping with version and via, got %s`, describe(f.val))
			return "", ""
		}
		return d.str(f, checkPython), ""
	}
	has := false
	for _, c := range d.mapping(f, "a mapping with version and via", []string{"version", "via"}) {
		switch c.name {
		case "version":
			has = !isNull(c.val)
			version = d.str(c, checkPython)
		case "via":
			via = d.str(c, oneOf(pythonVias))
		}
	}
	if !has {
		d.fail(f, `missing version, such as "3.11"`)
	}
	return version, via
}

// cuda decodes cuda: false, "12.4", or {version, cudnn, flavor, base}.
func (d *decoder) cuda(f field) *Cuda {
	if isNull(f.val) {
		return nil
	}
	if b, ok := isBool(f.val); ok {
		if b {
			d.fail(f, `true does not say which CUDA: give a version such as "12.4", or false for the CPU leg`)
			return nil
		}
		return &Cuda{Off: true}
	}
	if isText(f.val) {
		return &Cuda{Version: d.str(f, checkCuda)}
	}
	if f.val.Kind != yaml.MappingNode {
		d.fail(f, `expected false, a version such as "12.4" or a mapping with version, cudnn, flavor and base, got %s`, describe(f.val))
		return nil
	}
	c := &Cuda{}
	has := false
	for _, kv := range d.mapping(f, "a mapping", []string{"version", "cudnn", "flavor", "base"}) {
		switch kv.name {
		case "version":
			has = !isNull(kv.val)
			c.Version = d.str(kv, checkCuda)
		case "cudnn":
			c.Cudnn = d.str(kv, checkCudnn)
		case "flavor":
			c.Flavor = d.str(kv, oneOf(cudaFlavors))
		case "base":
			c.Base = d.str(kv, checkBase)
		}
	}
	if !has {
		d.fail(f, `missing version, such as "12.4"`)
	}
	return c
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
