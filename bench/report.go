package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// reportInfo is what the report says about the run itself.
type reportInfo struct {
	When     time.Time
	Host     string
	CPUs     int
	Load     [2]string // /proc/loadavg's 1-minute figure at the start and the end
	Wsbuild  string    // the binary and where it came from
	Buildx   string    // what `buildx version` says
	Features features
	// FamilyName is -family; Family the images, parents first.
	FamilyName string
	Family     []string
}

// targets are the wsbuild-only figures the issue sets targets for.
var targets = map[string]time.Duration{"noop": time.Second, "force": 2 * time.Second}

// writeReport writes the results as markdown.
func (b *bench) writeReport(w io.Writer, info reportInfo) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("# wsbuild benchmark\n\n")
	p("Measured %s on %s (%d CPUs; load average %s at the start, %s at the end). wsbuild: %s. bake: %s, remote driver. BuildKit: the rig's buildkitd (%s), one daemon shared by both sides, restarted on an empty state folder before each side's cold builds.\n\n",
		info.When.Format(time.RFC3339), info.Host, info.CPUs, info.Load[0], info.Load[1], info.Wsbuild, info.Buildx, rigBuildkitVersion(b.env))
	f := info.Features
	p("This wsbuild has: `lock` %s, `build --force` %s, skipping unchanged images (metadata `action`) %s, matrix specs %s, `--cache-from` %s.\n\n",
		yesNo(f.lock), yesNo(f.force), yesNo(b.hasActions()), yesNo(f.matrix), yesNo(f.cache))
	p("Family `%s`: templates/catalogue.yaml with templates/offline.sets, %d images: %s.\n\n", info.FamilyName, len(info.Family), strings.Join(info.Family, ", "))

	built := b.find(sideWsbuild, "cold") != nil || b.find(sideBake, "cold") != nil
	if built {
		b.writeComparison(p)
	}
	b.writeWsbuildOnly(p)
	if built {
		b.writeRebuilt(p)
		b.writeTraffic(p)
		b.writeChildPushes(p)
	}
	b.writeNotes(p)
}

// find returns the measurement of scenario on side, or nil.
func (b *bench) find(side, scenario string) *measurement {
	for i := range b.results {
		if m := &b.results[i]; m.Side == side && m.Scenario == scenario {
			return m
		}
	}
	return nil
}

// hasActions reports whether any wsbuild run reported per-image actions.
func (b *bench) hasActions() bool {
	for _, m := range b.results {
		for a := range m.Actions {
			if a != "" {
				return true
			}
		}
	}
	return false
}

// comparisons are the scenarios both sides run, as the report names them.
var comparisons = []struct{ scenario, what string }{
	{"cold", "cold build and push (empty buildkitd)"},
	{"noop", "no-op rebuild and push"},
	{"leaf", "one leaf step changed"},
	{"leaf2", "a second, different leaf step change"},
	{"root", "root changed: one apt package added"},
	{"cache", "cold runner with registry cache, leaf changed"},
	{"zstd", "cold, `--compression zstd`"},
}

// writeComparison writes the table of both sides and their ratio.
func (b *bench) writeComparison(p func(string, ...any)) {
	p("## wsbuild and bake, side by side\n\n")
	p("Wall time of `wsbuild build --push` and of `buildx bake` of the same family as Dockerfiles (one bake file, children on their parent's target), each pushing to the registry through the counting proxy. Ratio: wsbuild time / bake time (below 1: wsbuild is faster). Load: the 1-minute load average as each run started. Bytes: blob and manifest bytes sent to the registry, and blob bytes read back, through the proxy.\n\n")
	p("| scenario | wsbuild | bake | wsbuild ÷ bake | load (wsbuild, bake) | wsbuild bytes up, down | bake bytes up, down |\n|---|---:|---:|---:|---|---|---|\n")
	for _, c := range comparisons {
		ws, bk := b.find(sideWsbuild, c.scenario), b.find(sideBake, c.scenario)
		if ws == nil && bk == nil {
			continue
		}
		ratio := "–"
		if ok(ws) && ok(bk) && bk.Took > 0 {
			ratio = fmt.Sprintf("%.2f", ws.Took.Seconds()/bk.Took.Seconds())
		}
		p("| %s | %s | %s | %s | %s, %s | %s | %s |\n", c.what, secs(ws), secs(bk), ratio,
			load(ws), load(bk), moved(ws, wsbuildNS), moved(bk, bakeNS))
	}
	p("\nThe changes: leaf adds `%s` to %s's own apt packages, leaf2 adds `%s` instead, root adds `%s` to %s's (wsbuild: `--set IMAGE.apt=[...]`; bake: a `RUN apt-get install` where wsbuild runs the image's own apt packages). The cache scenario first writes each side's registry cache of the family as committed (`cache-seed`), then restarts buildkitd on an empty state folder and makes the leaf change, reading that cache.\n\n",
		changes[0].Package, changes[0].Image, changes[1].Package, changes[2].Package, changes[2].Image)
}

// ok reports whether m ran and succeeded.
func ok(m *measurement) bool { return m != nil && m.Err == nil && m.Skipped == "" }

// load is the load average m started at.
func load(m *measurement) string {
	if m == nil || m.Load == "" {
		return "–"
	}
	return m.Load
}

// moved sums up the bytes m's run sent to and read from the registry in ns.
func moved(m *measurement, ns string) string {
	if !ok(m) || m.Traffic == nil {
		return "–"
	}
	t := m.Traffic.Totals(ns + "/")
	return fmt.Sprintf("%s, %s", size(t.UploadBytes+t.ManifestBytes), size(t.DownloadBytes))
}

// writeWsbuildOnly writes the figures of wsbuild alone, with their targets.
func (b *bench) writeWsbuildOnly(p func(string, ...any)) {
	p("## wsbuild alone\n\n| measurement | seconds | target |\n|---|---:|---|\n")
	if m := b.find(sideWsbuild, "lock"); m != nil {
		p("| `wsbuild lock` of the catalogue | %s | |\n", secs(m))
	}
	for _, s := range []struct{ scenario, what string }{
		{"noop", "no-op `build --push` (nothing changed)"},
		{"force", "`build --push --force`, fully cached"},
	} {
		if m := b.find(sideWsbuild, s.scenario); m != nil {
			t := targets[s.scenario]
			met := "met"
			if m.Err != nil || m.Took >= t {
				met = "not met"
			}
			p("| %s | %s | < %s: %s |\n", s.what, secs(m), t, met)
		}
	}
	with, without := b.find(sideWsbuild, "sbom"), b.find(sideWsbuild, "nosbom")
	if ok(with) && ok(without) && len(b.family) > 0 {
		d := with.Took - without.Took
		p("| the SBOM step: `build --push --force` on a fresh buildkitd (%s) − the same with `--sbom=false` (%s) | %.2f (%.2f per image) | |\n",
			secs(with), secs(without), d.Seconds(), d.Seconds()/float64(len(b.family)))
	}
	if steps := b.wsSBOMSteps(); len(steps) > 0 {
		sum := 0.0
		for _, s := range steps {
			sum += s
		}
		p("| the SBOM step's own time in the cold build (BuildKit's vertex times) | %.2f in all, %.2f per image (%d images) | |\n",
			sum, sum/float64(len(steps)), len(steps))
	}
	var sizes []int
	for n := range b.plans {
		sizes = append(sizes, n)
	}
	sort.Ints(sizes)
	for _, n := range sizes {
		r := b.plans[n]
		what := fmt.Sprintf("`plan -o json`, %d plain images", n)
		if r.Matrix {
			what = fmt.Sprintf("`plan -o json`, %d declared images x %d python versions", r.Declared, len(matrixPythons))
		}
		val := fmt.Sprintf("%.2f (median of %d; plan listed %d images)", r.Median().Seconds(), len(r.Runs), r.Images)
		if r.Err != nil {
			val = "failed: " + oneLine(r.Err)
		}
		p("| %s | %s | |\n", what, val)
		if r.Lock > 0 {
			p("| `lock` of that family | %.2f | |\n", r.Lock.Seconds())
		}
	}
	p("\n")
}

// writeRebuilt writes which images each run changed.
func (b *bench) writeRebuilt(p func(string, ...any)) {
	p("## What each run rebuilt\n\nImages whose pushed manifest digest changed since the side's previous run, and wsbuild's per-image actions from `--metadata-file`.\n\n")
	p("| side | scenario | digest changed | wsbuild actions |\n|---|---|---|---|\n")
	for _, m := range b.results {
		if m.Scenario == "lock" || m.Skipped != "" {
			continue
		}
		changed := "(first run)"
		if m.Changed != nil {
			changed = fmt.Sprintf("%d: %s", len(m.Changed), strings.Join(m.Changed, ", "))
			if len(m.Changed) == 0 {
				changed = "none"
			}
		}
		p("| %s | %s | %s | %s |\n", m.Side, m.Scenario, changed, actions(m.Actions))
	}
	p("\n")
}

// writeTraffic writes each run's registry traffic.
func (b *bench) writeTraffic(p func(string, ...any)) {
	p("## Registry traffic\n\nThrough the counting proxy: bytes of blob uploads, cross-repository mounts asked for, manifests PUT (count and bytes), manifests resolved (GET or HEAD: a child's build pulling its parent back, or a push checking its tag) and bytes of blobs read back.\n\n")
	p("| side | scenario | blobs uploaded | mounts | manifests PUT | manifests resolved | blobs read back |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, m := range b.results {
		if m.Traffic == nil || m.Scenario == "lock" || m.Skipped != "" {
			continue
		}
		ns := wsbuildNS + "/"
		if m.Side == sideBake {
			ns = bakeNS + "/"
		}
		t := m.Traffic.Totals(ns)
		p("| %s | %s | %s | %d | %d, %s | %d | %s |\n", m.Side, m.Scenario, size(t.UploadBytes), t.Mounts,
			t.ManifestPuts, size(t.ManifestBytes), t.ManifestReads, size(t.DownloadBytes))
	}
	p("\n")
}

// writeChildPushes writes what each image's cold push sent, and every
// parent layer a child sent again.
func (b *bench) writeChildPushes(p func(string, ...any)) {
	p("## Child pushes: no byte of a parent's layers\n\nPer image, in each side's cold build: bytes its push uploaded, blobs uploaded, cross-repository mounts asked for, and the blobs of its parent's layers it uploaded again (compared by digest with the parent's pushed manifest).\n\n")
	ws, bk := b.find(sideWsbuild, "cold"), b.find(sideBake, "cold")
	p("| image | parent | wsbuild: uploaded, blobs, mounts, parent bytes | bake: uploaded, blobs, mounts, parent bytes |\n|---|---|---|---|\n")
	for _, img := range sortedKeys(b.family) {
		p("| %s | %s | %s | %s |\n", img, dash(b.family[img]), pushCell(ws, wsbuildNS, img), pushCell(bk, bakeNS, img))
	}
	for _, m := range b.results {
		for _, l := range m.Leaks {
			p("\n%s %s: %s uploaded %s of parent %s's layer %s again.", m.Side, m.Scenario, l.Image, size(l.Bytes), l.Parent, l.Digest)
		}
	}
	p("\n\n")
}

// writeNotes lists the notes and failures of the runs.
func (b *bench) writeNotes(p func(string, ...any)) {
	var notes []string
	for _, m := range b.results {
		for _, n := range m.Notes {
			notes = append(notes, fmt.Sprintf("%s %s: %s", m.Side, m.Scenario, n))
		}
		if m.Err != nil {
			notes = append(notes, fmt.Sprintf("%s %s failed: %s", m.Side, m.Scenario, oneLine(m.Err)))
		}
	}
	if len(notes) == 0 {
		return
	}
	p("## Notes\n\n")
	for _, n := range notes {
		p("- %s\n", n)
	}
	p("\n")
}

// pushCell sums up img's push in m.
func pushCell(m *measurement, ns, img string) string {
	if m == nil || m.Traffic == nil {
		return "–"
	}
	rt := m.Traffic.repos[ns+"/"+img]
	if rt == nil {
		return "no traffic"
	}
	var parent int64
	for _, l := range m.Leaks {
		if l.Image == img {
			parent += l.Bytes
		}
	}
	return fmt.Sprintf("%s, %d, %d, %s", size(rt.UploadBytes), len(rt.Uploaded), rt.Mounts, size(parent))
}

// secs formats m's wall time.
func secs(m *measurement) string {
	switch {
	case m == nil:
		return "–"
	case m.Err != nil:
		return "failed"
	case m.Skipped != "":
		return m.Skipped
	}
	return fmt.Sprintf("%.2f s", m.Took.Seconds())
}

// actions formats wsbuild's action counts.
func actions(a map[string]int) string {
	if len(a) == 0 {
		return ""
	}
	var parts []string
	for _, k := range sortedKeys(a) {
		name := k
		if k == "" {
			name = "none reported"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, a[k]))
	}
	return strings.Join(parts, ", ")
}

// size formats n bytes for people, exact below 10 kB.
func size(n int64) string {
	switch {
	case n < 10_000:
		return fmt.Sprintf("%d B", n)
	case n < 10_000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// yesNo formats a bool for people.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// dash stands in for an empty string.
func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// oneLine is the first line of err's message.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
