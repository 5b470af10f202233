package pipeline

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/buildcache"
)

// appendSpec adds text to the spec of o.
func appendSpec(t *testing.T, o Options, text string) {
	t.Helper()
	f, err := os.OpenFile(o.SpecFile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func entries(es []buildcache.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.String())
	}
	return out
}

// TestSpecCacheRegistry: cache: registry gives every image a cache beside
// it in its repository, over plain HTTP like the push target, and each
// image imports its ancestors' caches after its own.
func TestSpecCacheRegistry(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a", "b")
	appendSpec(t, o, "cache: registry\n")
	d := &fakeDaemon{}
	r := runner(t, d, reg.publisher(t))
	if _, err := r.Build(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	ref := func(img string) string {
		return "type=registry,ref=" + reg.host + "/t/" + img + ":latest-buildcache,registry.insecure=true"
	}
	want := "type=registry,mode=max,ref=" + reg.host + "/t/a:latest-buildcache,registry.insecure=true"
	if got := entries(d.caches["a"].Exports); len(got) != 1 || got[0] != want {
		t.Errorf("a exports %v, want [%s]", got, want)
	}
	if got := strings.Join(entries(d.caches["a"].Imports), " "); got != ref("a")+" "+ref("python") {
		t.Errorf("a imports %s, want its own cache, then python's", got)
	}
	if got := strings.Join(entries(d.caches["python"].Imports), " "); got != ref("python") {
		t.Errorf("python imports %s, want only its own", got)
	}
	if reg.has(t, reg.host+"/t/a:latest-buildcache") {
		t.Error("the fake daemon exports no cache, yet the cache tag exists")
	}
	o.Push = false
	if _, err := r.Build(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if got := entries(d.caches["a"].Exports); len(got) != 0 {
		t.Errorf("a build without --push exports %v, want none: only runs that push write the spec's cache", got)
	}
	if got := strings.Join(entries(d.caches["a"].Imports), " "); got != ref("a")+" "+ref("python") {
		t.Errorf("a build without --push imports %s, want the same caches as with it", got)
	}
}

// TestCacheFlagsOverrideSpec: --cache-to and --cache-from replace the
// spec's cache:, per image; cache: false on an image turns the spec's off
// there only.
func TestCacheFlagsOverrideSpec(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a")
	appendSpec(t, o, "cache: registry\n")
	to, err := buildcache.Parse(buildcache.Export, "type=local,dest=/ci/cache")
	if err != nil {
		t.Fatal(err)
	}
	o.CacheTo = []buildcache.Entry{to}
	d := &fakeDaemon{}
	r := runner(t, d, reg.publisher(t))
	if _, err := r.Build(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if got := entries(d.caches["a"].Exports); len(got) != 1 || got[0] != "type=local,dest=/ci/cache/a" {
		t.Errorf("a exports %v, want only the flag's, in a/", got)
	}
	if got := entries(d.caches["a"].Imports); len(got) != 2 || !strings.Contains(got[0], "/t/a:latest-buildcache") {
		t.Errorf("a imports %v, want the spec's (no --cache-from)", got)
	}
}

func TestHasCacheImport(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t, "a", "b")
	if err := os.WriteFile(o.SpecFile, []byte(strings.Replace(readFile(t, o.SpecFile), "  a:\n    from: python\n",
		"  a:\n    from: python\n    cache: registry\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runner(t, &fakeDaemon{}, reg.publisher(t))
	ru, err := r.start(t.Context(), o, true)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"python": false, "a": true, "b": false} {
		if got := ru.hasCacheImport(name); got != want {
			t.Errorf("hasCacheImport(%q) = %v, want %v", name, got, want)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCacheExportThatWouldMoveATag is refused before any daemon starts.
func TestCacheExportThatWouldMoveATag(t *testing.T) {
	for _, tc := range []struct {
		name, spec, flag, want string
	}{
		{"flag names a push tag", "", "type=registry,ref={HOST}/t/{image}:latest",
			`image "python": exporting cache to "{HOST}/t/python:latest" would move the tag image "python" is pushed to`},
		{"spec tag is the image's", "cache: {tag: \"{tag}\"}\n", "",
			`image "python": exporting cache to "{HOST}/t/python:latest" would move the tag image "python" is pushed to`},
		{"two images, one ref", "", "type=registry,ref={HOST}/t/cache:{tag}",
			`images "python" and "a" would both export cache to "{HOST}/t/cache:latest"; put {image} or {tag} in the cache reference`},
		{"not a reference", "", "type=registry,ref=UPPER/Case",
			`image "python": cache reference "UPPER/Case:python" is not a valid image reference`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry(t)
			o := reg.family(t, "a")
			appendSpec(t, o, tc.spec)
			if tc.flag != "" {
				e, err := buildcache.Parse(buildcache.Export, strings.ReplaceAll(tc.flag, "{HOST}", reg.host))
				if err != nil {
					t.Fatal(err)
				}
				o.CacheTo = []buildcache.Entry{e}
			}
			d := &fakeDaemon{}
			_, err := runner(t, d, reg.publisher(t)).Build(t.Context(), o)
			var ie *InputError
			want := strings.ReplaceAll(tc.want, "{HOST}", reg.host)
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want an InputError containing %s", err, want)
			}
			if opened, _, _ := d.counts(); opened != 0 {
				t.Errorf("a daemon was opened %d times for a refused cache", opened)
			}
		})
	}
}

// TestSpecCacheNeedsPush: cache: registry without push targets says so.
func TestSpecCacheNeedsPush(t *testing.T) {
	reg := newRegistry(t)
	o := reg.family(t)
	spec := readFile(t, o.SpecFile)
	spec = spec[:strings.Index(spec, "push:")] + "cache: registry\n"
	if err := os.WriteFile(o.SpecFile, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	o.Push = false
	_, err := runner(t, &fakeDaemon{}, reg.publisher(t)).Build(t.Context(), o)
	if err == nil || !strings.Contains(err.Error(), `image "python" has cache: registry but the spec has no push: target to keep the cache in`) {
		t.Fatalf("err = %v", err)
	}
}
