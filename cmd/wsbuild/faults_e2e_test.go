package main

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// faultSpec is the smallest family with a parent: two images with no step
// but their environment, so each faulty run rebuilds in seconds.
const faultSpec = `images:
  parent:
    base: debian:bookworm
    env: {ROLE: parent}
    tag: "1"
  child:
    from: parent
    env: {ROLE: child}
    tag: "1"
push:
  - {registry: %s, namespace: faults, insecure: true}
`

// faultSchedule is one run under faults: the rules, what sends the blobs,
// and whether the run must succeed (the faults are transient) or fail.
type faultSchedule struct {
	name     string
	pushFrom string
	rules    []rig.FaultRule
	// succeed: the run must end 0 with every tag moved; fail: it must end
	// 1 with no tag moved; neither: either, all or nothing.
	succeed, fail bool
}

// TestRegistryFaults puts a proxy that drops connections, answers 500 and
// 503 and stalls between the registry and both wsbuild and buildkitd, and
// runs the family under one fault schedule after another, each run with
// new image contents. After every run, each tag resolves to a manifest
// whose blobs all exist, and either both tags moved to this run's images
// or neither did. Transient faults are retried; a tag the registry keeps
// refusing puts back the tags that moved before it.
func TestRegistryFaults(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	useRig(t, r)
	proxy := rig.FaultProxyForTest(t, r.Registry)
	specFile := filepath.Join(t.TempDir(), "wsbuild.yaml")
	write(t, specFile, fmt.Sprintf(faultSpec, proxy.Addr))
	tags := []string{"faults/parent:1", "faults/child:1"}

	schedules := []faultSchedule{
		{name: "no fault", succeed: true},
		{name: "a 500 on the first tag", rules: []rig.FaultRule{{Method: http.MethodPut, Path: "/manifests/1", Nth: 1, Fault: rig.Fault500}}, succeed: true},
		{name: "the first tag's connection dropped", rules: []rig.FaultRule{{Method: http.MethodPut, Path: "/manifests/1", Nth: 1, Fault: rig.FaultDrop}}, succeed: true},
		{name: "a 503 on the first lookup", rules: []rig.FaultRule{{Method: http.MethodGet, Path: "/manifests/1", Nth: 1, Fault: rig.Fault503}}, succeed: true},
		{name: "a stalled lookup", rules: []rig.FaultRule{{Method: http.MethodGet, Path: "/manifests/", Nth: 1, Fault: rig.FaultStall, Stall: 3 * time.Second}}, succeed: true},
		{name: "wsbuild's first blob upload dropped", pushFrom: "wsbuild", rules: []rig.FaultRule{{Method: http.MethodPatch, Path: "/blobs/uploads/", Nth: 1, Fault: rig.FaultDrop}}, succeed: true},
		{name: "a 503 on wsbuild's first blob check", pushFrom: "wsbuild", rules: []rig.FaultRule{{Method: http.MethodHead, Path: "/blobs/", Nth: 1, Fault: rig.Fault503}}, succeed: true},
		{name: "the child's tag refused for good", rules: []rig.FaultRule{{Method: http.MethodPut, Path: "/child/manifests/1", Fault: rig.Fault500}}, fail: true},
		{name: "every blob upload answered 500", rules: []rig.FaultRule{{Method: http.MethodPatch, Path: "/blobs/uploads/", Fault: rig.Fault500}, {Method: http.MethodPut, Path: "/blobs/uploads/", Fault: rig.Fault500}}, fail: true},
		{name: "buildkitd's first manifest push dropped", pushFrom: "daemon", rules: []rig.FaultRule{{Method: http.MethodPut, Path: "/manifests/sha256:", Nth: 1, Fault: rig.FaultDrop}}},
		{name: "every request of the child's repository answered 503", rules: []rig.FaultRule{{Path: "/faults/child/", Fault: rig.Fault503}}, fail: true},
	}
	before := map[string]v1.Hash{}
	for i, s := range schedules {
		proxy.Schedule(s.rules...)
		args := []string{"build", "-f", specFile, "--push", "--progress", "plain", "--set", fmt.Sprintf("*.env.RUN=%d", i)}
		if s.pushFrom != "" {
			args = append(args, "--push-from", s.pushFrom)
		}
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := run(t.Context(), args, &stdout, &stderr)
		after := map[string]v1.Hash{}
		var moved int
		for _, tag := range tags {
			after[tag] = checkComplete(t, r.Registry, tag)
			if after[tag] != before[tag] {
				moved++
			}
		}
		t.Logf("schedule %d, %s: exit %d in %s, %d faults injected, %d of %d tags moved", i, s.name, code, time.Since(start).Round(time.Second),
			proxy.Injected(), moved, len(tags))
		switch {
		case moved != 0 && moved != len(tags):
			t.Errorf("schedule %q: %d of %d tags moved: a run moves all its tags or none:\n%s", s.name, moved, len(tags), lastLines(stderr.String(), 10))
		case code == 0 && moved != len(tags):
			t.Errorf("schedule %q: the run succeeded but moved %d of %d tags", s.name, moved, len(tags))
		case s.succeed && code != 0:
			t.Errorf("schedule %q: exit %d, want the transient faults retried and the run to succeed:\n%s", s.name, code, lastLines(stderr.String(), 15))
		case s.fail && (code != 1 || moved != 0):
			t.Errorf("schedule %q: exit %d with %d tags moved, want 1 and none:\n%s", s.name, code, moved, lastLines(stderr.String(), 15))
		}
		if len(s.rules) > 0 && proxy.Injected() == 0 {
			t.Errorf("schedule %q: no fault was injected; the schedule tests nothing", s.name)
		}
		before = after
	}
	t.Logf("%d fault schedules tried", len(schedules))
}

// checkComplete returns the digest tag (repository:tag) holds in the
// registry at addr, read past the proxy, and fails the test unless its
// config and every layer are there too.
func checkComplete(t *testing.T, addr, tag string) v1.Hash {
	t.Helper()
	img, err := remote.Image(ref(t, addr+"/"+tag))
	if err != nil {
		t.Fatalf("%s does not resolve: %v", tag, err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	repo := strings.SplitN(tag, ":", 2)[0]
	for _, d := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		resp, err := http.Head("http://" + addr + "/v2/" + repo + "/blobs/" + d.Digest.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s names blob %s, which the registry answers %d", tag, d.Digest, resp.StatusCode)
		}
	}
	dg, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return dg
}
