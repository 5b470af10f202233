package plan

import (
	"fmt"
	"strings"

	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/internal/suggest"
)

// selectImages returns the names to build, parents first and otherwise in the
// order the family lists them. With no selection every image is built; with
// one, the named images (all the variants of a declared image) and their
// ancestors are, and with dependents also every image built on them.
func selectImages(f *spec.Family, selection []string, dependents bool) ([]string, error) {
	want := make(map[string]bool, len(f.Names))
	if len(selection) == 0 {
		for _, n := range f.Names {
			want[n] = true
		}
	}
	picked, err := resolveSelection(f, selection)
	if err != nil {
		return nil, err
	}
	if dependents {
		picked = withDependents(f, picked)
	}
	for _, name := range picked {
		for n := name; n != "" && !want[n] && f.Images[n] != nil; n = f.Images[n].From {
			want[n] = true
		}
	}
	var order []string
	done := make(map[string]bool, len(want))
	var visit func(name string, depth int) error
	visit = func(name string, depth int) error {
		if done[name] {
			return nil
		}
		img, ok := f.Images[name]
		if !ok {
			return fmt.Errorf("no image %q in %s", name, f.File)
		}
		if depth > len(f.Images) {
			return fmt.Errorf("%s: cycle", locate(f, img, "from"))
		}
		if img.From != "" {
			if err := visit(img.From, depth+1); err != nil {
				return err
			}
		}
		done[name] = true
		order = append(order, name)
		return nil
	}
	for _, n := range f.Names {
		if want[n] {
			if err := visit(n, 0); err != nil {
				return nil, err
			}
		}
	}
	return order, nil
}

// resolveSelection turns the selected names into image names: a variant's
// name stands for itself, a declared image's for all its variants.
func resolveSelection(f *spec.Family, selection []string) ([]string, error) {
	if len(selection) == 0 {
		return nil, nil
	}
	variants := map[string][]string{}
	var declared []string
	for _, n := range f.Names {
		r := repository(f.Images[n])
		if _, ok := variants[r]; !ok {
			declared = append(declared, r)
		}
		variants[r] = append(variants[r], n)
	}
	var out []string
	for _, name := range selection {
		switch {
		case f.Images[name] != nil:
			out = append(out, name)
		case len(variants[name]) > 0:
			out = append(out, variants[name]...)
		default:
			candidates := declared
			if len(f.Names) > len(declared) {
				candidates = append(declared[:len(declared):len(declared)], f.Names...)
			}
			msg := fmt.Sprintf("no image %q in %s", name, f.File)
			if s := suggest.Closest(name, candidates); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, fmt.Errorf("%s; images: %s", msg, strings.Join(declared, ", "))
		}
	}
	return out, nil
}

// withDependents adds to picked every image built on one of them, directly
// or not.
func withDependents(f *spec.Family, picked []string) []string {
	children := map[string][]string{}
	for _, n := range f.Names {
		if from := f.Images[n].From; from != "" {
			children[from] = append(children[from], n)
		}
	}
	seen := make(map[string]bool, len(picked))
	var out []string
	queue := picked
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
		queue = append(queue, children[n]...)
	}
	return out
}
