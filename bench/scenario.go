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
	sideWsbuild = "wsbuild"
	sideBake    = "bake"
)

// The images the change scenarios edit.
const (
	leafImage = "python-pytorch-jupyter"
	rootImage = "python"
)

// buildScenarios are the scenarios that build the family, in the order
// they run on each side; cold runs first whatever is selected.
var buildScenarios = []string{"cold", "noop", "force", "leaf", "leaf2", "root", "cache", "zstd", "nosbom"}

// buildOpts is what one build asks of a side beyond the family as it is.
type buildOpts struct {
	// Change is the change scenario's edit, or nil.
	Change *change
	// Force rebuilds images whose pushed tags are up to date (wsbuild).
	Force bool
	// Compression is the layer compression, "" for the default (gzip).
	Compression string
	// CacheTo and CacheFrom write and read the side's registry cache.
	CacheTo, CacheFrom bool
	// NoSBOM builds without the SBOM step (wsbuild's --sbom=false).
	NoSBOM bool
}

// side is one way of building the family.
type side interface {
	// Name names the side in the report.
	Name() string
	// Namespace is the registry namespace the side pushes to.
	Namespace() string
	// Fresh forgets what the side keeps outside buildkitd (a cold runner).
	Fresh()
	// Unsupported says why the side cannot run scenario, or "".
	Unsupported(scenario string) string
	// Build builds the family with o and pushes it, and returns its wall
	// time, each image's pushed digest and per-image actions, if any.
	Build(ctx context.Context, label string, o buildOpts) (time.Duration, map[string]string, map[string]int, error)
}

// measurement is one timed run of one side.
type measurement struct {
	Scenario, Side string
	Took           time.Duration
	Err            error
	// Skipped says why the side did not run the scenario.
	Skipped string
	// Load is the 1-minute load average when the run started.
	Load    string
	Notes   []string
	Traffic *traffic
	// Changed lists the images whose pushed digest differs from the side's
	// previous run; nil for the first run.
	Changed []string
	// Actions counts wsbuild's per-image actions ("build", "skip"; "" when
	// the binary reports none).
	Actions map[string]int
	Leaks   []leak
}

// bench runs the selected scenarios of both sides and collects the results.
type bench struct {
	env       *rigEnv
	ws        *wsbuildSide
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
	if prev != nil && digests != nil {
		m.Changed = []string{}
		for img, d := range digests {
			if prev[img] != d {
				m.Changed = append(m.Changed, img)
			}
		}
		sort.Strings(m.Changed)
	}
	if m.Err == nil && m.Skipped == "" {
		leaks, err := findLeaks(ctx, b.env.rig.Registry, ns, b.family, m.Traffic)
		if err != nil {
			m.Notes = append(m.Notes, "parent layer check failed: "+err.Error())
		}
		m.Leaks = leaks
	}
	status := "ok"
	switch {
	case m.Err != nil:
		status = m.Err.Error()
	case m.Skipped != "":
		status = "skipped: " + m.Skipped
	}
	fmt.Fprintf(b.log, "bench: %-8s %-10s %8.2fs (load %s) %s\n", m.Side, m.Scenario, m.Took.Seconds(), m.Load, status)
	b.results = append(b.results, m)
}

// runSide runs s's selected build scenarios, cold first, on a buildkitd
// restarted on an empty state folder. It stops at the first failure.
func (b *bench) runSide(ctx context.Context, s side) error {
	fresh := func() error {
		if err := b.env.freshDaemon(ctx); err != nil {
			return err
		}
		s.Fresh()
		b.env.proxy.Take()
		return nil
	}
	if err := fresh(); err != nil {
		return err
	}
	if s.Name() == sideWsbuild && b.ws.feat.lock {
		load := loadAverage()
		took, err := b.ws.lock(ctx)
		b.record(ctx, measurement{Scenario: "lock", Side: sideWsbuild, Took: took, Err: err, Load: load}, wsbuildNS, nil, nil)
		if err != nil {
			return err
		}
	}
	var prev map[string]string
	step := func(scenario string, o buildOpts) error {
		load := loadAverage()
		took, digests, actions, err := s.Build(ctx, scenario, o)
		m := measurement{Scenario: scenario, Side: s.Name(), Took: took, Err: err, Load: load, Actions: actions}
		if o.Force && s.Name() == sideWsbuild && !b.ws.feat.force {
			m.Notes = append(m.Notes, "this wsbuild has no --force: ran a plain build")
		}
		b.record(ctx, m, s.Namespace(), prev, digests)
		if digests != nil {
			prev = digests
		}
		return err
	}
	for _, sc := range buildScenarios {
		if sc != "cold" && !b.scenarios[sc] || sc == "force" && s.Name() != sideWsbuild {
			continue
		}
		if why := s.Unsupported(sc); why != "" {
			b.record(ctx, measurement{Scenario: sc, Side: s.Name(), Skipped: why, Load: loadAverage()}, s.Namespace(), nil, nil)
			continue
		}
		var err error
		switch sc {
		case "cold", "noop":
			err = step(sc, buildOpts{})
		case "force":
			err = step(sc, buildOpts{Force: true})
		case "leaf", "leaf2", "root":
			c, _ := changeFor(sc)
			err = step(sc, buildOpts{Change: &c})
		case "cache":
			// Write the registry cache of the family as committed, then
			// throw buildkitd's state away and make the first leaf change.
			if err = step("cache-seed", buildOpts{Force: true, CacheTo: true}); err == nil {
				if err = fresh(); err == nil {
					c, _ := changeFor("leaf")
					err = step(sc, buildOpts{Change: &c, CacheFrom: true})
				}
			}
		case "zstd":
			if err = fresh(); err == nil {
				err = step(sc, buildOpts{Compression: "zstd"})
			}
		case "nosbom":
			// The same forced build twice on a fresh buildkitd (the registry
			// holds every blob both times), with the SBOM step and without.
			if err = fresh(); err == nil {
				if err = step("sbom", buildOpts{Force: true}); err == nil {
					if err = fresh(); err == nil {
						err = step(sc, buildOpts{Force: true, NoSBOM: true})
					}
				}
			}
		}
		if err != nil {
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
