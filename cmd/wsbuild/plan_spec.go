package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/wsbuild/wsbuild/internal/change"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/llb"
)

// specView is one image's settings after inheritance: `plan -o json` has it
// as each image's "spec", `plan --show-spec` prints it. Every value but Home
// and PythonVia is read from the image's canonical input values
// (plan.Node.Values, what its input digest covers and what `plan --why`
// compares), normalised as `plan --why` shows them, so the view and the
// reasons never disagree.
type specView struct {
	// User is the account: name, uid, gid.
	User any `json:"user"`
	// Home is the user's home folder, which follows from the user's name.
	Home string `json:"home"`
	// PythonVia is how the python feature installs Python on the chain's
	// OS ("distro" or "uv"); like Home it follows from the inputs.
	PythonVia string `json:"pythonVia,omitempty"`
	// OS is the chain's operating system.
	OS any `json:"os,omitempty"`
	// Env is the environment the spec sets along the chain.
	Env     any `json:"env,omitempty"`
	Workdir any `json:"workdir,omitempty"`
	Volumes any `json:"volumes,omitempty"`
	// Apt, Pip and Ports are the chain's, ancestors first, each item once.
	// The ports a feature listens on are under Features.
	Apt   []any `json:"apt,omitempty"`
	Pip   []any `json:"pip,omitempty"`
	Ports []any `json:"ports,omitempty"`
	// Features are the registered features the image has, its own or
	// inherited, with defaults filled in, by key.
	Features map[string]any `json:"features,omitempty"`
	// FeaturePackages are the packages each feature adds where it enters
	// the chain, by feature name: OS packages, then pip ones as "pip:NAME".
	FeaturePackages map[string][]string `json:"featurePackages,omitempty"`
	// Tests are the test commands of the image and its ancestors.
	Tests any `json:"tests,omitempty"`
}

// newSpecView reads n's settings from its input values and its ancestors'.
func newSpecView(n *plan.Node) (*specView, error) {
	get := func(input string) (any, error) {
		raw, ok := n.Values[input]
		if !ok {
			return nil, nil
		}
		return change.Normalise(input, raw)
	}
	v := &specView{Home: n.Home, PythonVia: n.View().PythonVia()}
	for _, f := range []struct {
		input string
		dst   *any
	}{
		{"user", &v.User}, {"os", &v.OS}, {"env", &v.Env}, {"workdir", &v.Workdir}, {"volumes", &v.Volumes}, {"tests", &v.Tests},
	} {
		val, err := get(f.input)
		if err != nil {
			return nil, fmt.Errorf("showing the spec of %q: %w", n.Name, err)
		}
		*f.dst = val
	}
	for _, name := range feature.Keys() {
		val, err := get(name)
		if err != nil {
			return nil, fmt.Errorf("showing the spec of %q: %w", n.Name, err)
		}
		if val != nil {
			if v.Features == nil {
				v.Features = map[string]any{}
			}
			v.Features[name] = val
		}
	}
	var err error
	if v.Apt, err = chainList(n, "apt"); err != nil {
		return nil, err
	}
	if v.Pip, err = chainList(n, "pip"); err != nil {
		return nil, err
	}
	if v.Ports, err = chainList(n, "ports"); err != nil {
		return nil, err
	}
	addFeaturePackages(v, n)
	return v, nil
}

// addFeaturePackages puts into v the packages each feature of n adds where
// it enters n's chain.
func addFeaturePackages(v *specView, n *plan.Node) {
	if m := llb.FeaturePackages(n); len(m) > 0 {
		v.FeaturePackages = m
	}
}

// chainList gathers the list input of n and its ancestors, ancestors
// first, each item once.
func chainList(n *plan.Node, input string) ([]any, error) {
	var chain []*plan.Node
	for a := n; a != nil; a = a.Parent {
		chain = append([]*plan.Node{a}, chain...)
	}
	var out []any
	seen := map[string]bool{}
	for _, a := range chain {
		raw, ok := a.Values[input]
		if !ok {
			continue
		}
		val, err := change.Normalise(input, raw)
		if err != nil {
			return nil, fmt.Errorf("showing the spec of %q: %w", n.Name, err)
		}
		list, _ := val.([]any)
		for _, item := range list {
			b, err := json.Marshal(item)
			if err != nil {
				return nil, err
			}
			if !seen[string(b)] {
				seen[string(b)] = true
				out = append(out, item)
			}
		}
	}
	return out, nil
}

// writeSpecs prints every entry's spec view, one `path: value` line per
// setting, maps and features per key.
func writeSpecs(w io.Writer, entries []planEntry) error {
	var b strings.Builder
	for _, e := range entries {
		if e.Spec == nil {
			continue
		}
		// Shown as written: no \u003e for a > in a step.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e.Spec); err != nil {
			return err
		}
		raw := buf.Bytes()
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n%s:\n", e.Name)
		for _, key := range []string{"user", "home", "pythonVia", "os", "env", "workdir", "volumes",
			"apt", "pip", "ports", "features", "featurePackages", "tests"} {
			if v, ok := fields[key]; ok {
				flatten(&b, key, v)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// flatten writes one line per scalar or list below path: objects by key,
// lists as [a, b] with plain words bare.
func flatten(b *strings.Builder, path string, raw json.RawMessage) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && obj != nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flatten(b, path+"."+k, obj[k])
		}
		return
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && list != nil {
		items := make([]string, len(list))
		for i, item := range list {
			items[i] = change.Show(item)
		}
		fmt.Fprintf(b, "  %s: [%s]\n", path, strings.Join(items, ", "))
		return
	}
	fmt.Fprintf(b, "  %s: %s\n", path, change.Show(raw))
}
