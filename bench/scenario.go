package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"
)

// The sides of the comparison.
const (
	sideWsbuild    = "wsbuild"
	sideDockerfile = "Dockerfile"
)

// The images the change scenarios edit, and how.
const (
	leafImage = "python-pytorch-jupyter"
	rootImage = "python"
)

// measurement is one timed run of one side.
type measurement struct {
	Scenario, Side string
	Took           time.Duration
	Err            error
	Notes          []string
	Traffic        *traffic
	// Changed lists the images whose pushed digest differs from the side's
	// previous run; nil for the first run.
	Changed []string
	// Actions counts wsbuild's per-image actions ("build", "skip"; "" when
	// the binary reports none).
	Actions map[string]int
	// Each is the Dockerfile side's time per image.
	Each  map[string]time.Duration
	Leaks []leak
}

// bench runs the selected scenarios of both sides and collects the results.
type bench struct {
	env       *rigEnv
	ws        *wsbuildSide
	df        *dockerfileSide
	family    map[string]string
	scenarios map[string]bool
	log       io.Writer

	results []measurement
	plans   map[int]planResult
}

// record finishes m with the proxy's traffic since the last run, the
// images whose digests changed and any parent layers uploaded again, and
// keeps it.
func (b *bench) record(ctx context.Context, m measurement, ns string, prev, digests map[string]string) {
	m.Traffic = b.env.proxy.Take()
	if prev != nil {
		m.Changed = []string{}
		for img, d := range digests {
			if prev[img] != d {
				m.Changed = append(m.Changed, img)
			}
		}
		sort.Strings(m.Changed)
	}
	if m.Err == nil {
		leaks, err := findLeaks(ctx, b.env.rig.Registry, ns, b.family, m.Traffic)
		if err != nil {
			m.Notes = append(m.Notes, "parent layer check failed: "+err.Error())
		}
		m.Leaks = leaks
	}
	status := "ok"
	if m.Err != nil {
		status = m.Err.Error()
	}
	fmt.Fprintf(b.log, "bench: %-10s %-10s %8.2fs %s\n", m.Side, m.Scenario, m.Took.Seconds(), status)
	b.results = append(b.results, m)
}

// runWsbuild runs wsbuild's scenarios on a cold buildkitd: cold, then noop,
// force, leaf and root as selected. It stops at the first failure.
func (b *bench) runWsbuild(ctx context.Context) error {
	if err := b.env.freshDaemon(ctx); err != nil {
		return err
	}
	b.ws.freshCache()
	b.env.proxy.Take()
	if b.ws.feat.lock {
		took, err := b.ws.lock(ctx)
		b.record(ctx, measurement{Scenario: "lock", Side: sideWsbuild, Took: took, Err: err}, wsbuildNS, nil, nil)
		if err != nil {
			return err
		}
	}
	var prev map[string]string
	step := func(scenario string, force bool, sets ...string) error {
		took, imgs, err := b.ws.build(ctx, scenario, force, sets...)
		m := measurement{Scenario: scenario, Side: sideWsbuild, Took: took, Err: err, Actions: map[string]int{}}
		digests := map[string]string{}
		for _, img := range imgs {
			digests[img.Name] = img.Digest
			m.Actions[img.Action]++
		}
		if force && !b.ws.feat.force {
			m.Notes = append(m.Notes, "this wsbuild has no --force: ran a plain build, which rebuilds (from cache) and pushes everything")
		}
		b.record(ctx, m, wsbuildNS, prev, digests)
		prev = digests
		return err
	}
	if err := step("cold", false); err != nil {
		return err
	}
	for _, s := range []struct {
		name  string
		force bool
		sets  []string
	}{
		{"noop", false, nil},
		{"force", true, nil},
		{"leaf", false, []string{leafImage + ".env.BENCH_CHANGE=leaf"}},
		{"root", false, []string{rootImage + ".env.BENCH_CHANGE=root"}},
	} {
		if !b.scenarios[s.name] {
			continue
		}
		if err := step(s.name, s.force, s.sets...); err != nil {
			return err
		}
	}
	return nil
}

// runDockerfiles runs the Dockerfile side's scenarios on a cold buildkitd:
// cold, then noop, leaf and root as selected, every one building all
// Dockerfiles in order. It stops at the first failure.
func (b *bench) runDockerfiles(ctx context.Context) error {
	if err := b.env.freshDaemon(ctx); err != nil {
		return err
	}
	b.env.proxy.Take()
	var prev map[string]string
	step := func(scenario, image, value string) error {
		if image != "" {
			undo, err := b.df.change(image, value)
			if err != nil {
				return err
			}
			defer undo()
		}
		took, each, digests, err := b.df.buildAll(ctx, scenario)
		m := measurement{Scenario: scenario, Side: sideDockerfile, Took: took, Err: err, Each: each}
		b.record(ctx, m, dockerfileNS, prev, digests)
		prev = digests
		return err
	}
	if err := step("cold", "", ""); err != nil {
		return err
	}
	for _, s := range []struct{ name, image, value string }{
		{"noop", "", ""},
		{"leaf", leafImage, "leaf"},
		{"root", rootImage, "root"},
	} {
		if !b.scenarios[s.name] {
			continue
		}
		if err := step(s.name, s.image, s.value); err != nil {
			return err
		}
	}
	return nil
}

// runPlans times wsbuild's plan of generated families of each size.
func (b *bench) runPlans(ctx context.Context, sizes []int) error {
	b.plans = map[int]planResult{}
	if err := b.env.ensureDaemon(ctx); err != nil {
		return err
	}
	if b.ws.feat.matrix {
		if err := b.env.pushUVStandIn(ctx); err != nil {
			return err
		}
	}
	for _, n := range sizes {
		r := b.ws.plan(ctx, n)
		b.plans[n] = r
		status := "ok"
		if r.Err != nil {
			status = r.Err.Error()
		}
		fmt.Fprintf(b.log, "bench: wsbuild    plan %-5d %8.2fs %s\n", n, r.Median().Seconds(), status)
	}
	return nil
}
