package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// matrixPythons is the python axis of the generated matrix family: each
// declared image expands to one variant per value.
var matrixPythons = []string{"3.9", "3.10", "3.11", "3.12", "3.13"}

// planFanout is how many children each image of a generated family has.
const planFanout = 4

// planResult is one size of the plan scenario.
type planResult struct {
	Images   int           // images the plan listed
	Declared int           // images the spec declared
	Lock     time.Duration // `wsbuild lock`, when the binary has it
	Runs     []time.Duration
	Matrix   bool
	Err      error
}

// Median is the median of the plan runs.
func (p planResult) Median() time.Duration {
	if len(p.Runs) == 0 {
		return 0
	}
	s := slices.Clone(p.Runs)
	slices.Sort(s)
	return s[len(s)/2]
}

// familySpec writes a generated family of n images: with a matrix, n/5
// declared images times the python axis; without, n plain images. The
// images form a tree with planFanout children each, rooted at one image on
// debian:bookworm.
func familySpec(n int, matrix bool, registry string) (spec string, declared int) {
	var b strings.Builder
	declared = n
	if matrix {
		declared = n / len(matrixPythons)
		fmt.Fprintf(&b, "matrix:\n  python: [%s]\n  cuda: [false]\n  tag: \"{version}-py{python}-{cuda}\"\n",
			`"`+strings.Join(matrixPythons, `", "`)+`"`)
	}
	b.WriteString("images:\n")
	for i := range declared {
		fmt.Fprintf(&b, "  img%04d:\n", i)
		if i == 0 {
			b.WriteString("    base: debian:bookworm\n")
			if !matrix {
				b.WriteString("    python: \"3.11\"\n")
			}
		} else {
			fmt.Fprintf(&b, "    from: img%04d\n", (i-1)/planFanout)
		}
		fmt.Fprintf(&b, "    apt: [pkg-%d]\n    env: {IMAGE_INDEX: \"%d\"}\n    tag: \"1.%d\"\n", i, i, i)
	}
	fmt.Fprintf(&b, "push:\n  - registry: %s\n    namespace: bench-plan\n    insecure: true\n", registry)
	return b.String(), declared
}

// plan times `wsbuild plan -o json` on a generated family of n images,
// three times; with a lock command it locks first and plans without a
// daemon, as the contract says a locked plan needs none.
func (w *wsbuildSide) plan(ctx context.Context, n int) planResult {
	r := planResult{Matrix: w.feat.matrix}
	dir := filepath.Join(w.dir, fmt.Sprintf("plan-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.Err = err
		return r
	}
	text, declared := familySpec(n, w.feat.matrix, w.env.Registry())
	r.Declared = declared
	spec := filepath.Join(dir, "family.yaml")
	if r.Err = os.WriteFile(spec, []byte(text), 0o644); r.Err != nil {
		return r
	}
	args := []string{"plan", "-f", spec, "-o", "json"}
	if w.feat.lock {
		if r.Lock, r.Err = w.run.run(ctx, fmt.Sprintf("wsbuild-lock-%d", n), w.runEnv(), w.bin,
			"lock", "-f", spec, "--addr", w.env.Addr()); r.Err != nil {
			return r
		}
	} else {
		args = append(args, "--addr", w.env.Addr())
	}
	for i := range 3 {
		out := filepath.Join(dir, fmt.Sprintf("plan-%d.json", i))
		took, err := w.run.runTo(ctx, fmt.Sprintf("wsbuild-plan-%d", n), out, w.runEnv(), w.bin, args...)
		if err != nil {
			r.Err = err
			return r
		}
		r.Runs = append(r.Runs, took)
		b, err := os.ReadFile(out)
		if err != nil {
			r.Err = err
			return r
		}
		var entries []json.RawMessage
		if err := json.Unmarshal(b, &entries); err != nil {
			r.Err = fmt.Errorf("decoding the plan of %d images: %w", n, err)
			return r
		}
		r.Images = len(entries)
	}
	return r
}
