package spec

import (
	"reflect"
	"strings"
	"testing"
)

const pushSpec = `images:
  python:
    base: debian:bookworm
push:
  - {registry: staging.example, namespace: team-a, insecure: false}
  - {registry: platform.example, namespace: team-a/ws}
`

// TestPushOverrides proves that --set reaches push: (a whole list, or one
// field of every target) and that WithPushTarget (--registry, --namespace)
// wins over both, with its problems reported at the flag.
func TestPushOverrides(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []Option
		want     []PushTarget
		wantFile string // Position.File of push.1.namespace
	}{
		{"namespace of every target", []Option{WithOverrides([]string{"push.namespace=ci"})},
			[]PushTarget{{"staging.example", "ci", false}, {"platform.example", "ci", false}}, OverrideFile},
		{"whole list", []Option{WithOverrides([]string{"push=[{registry: 127.0.0.1:5000, namespace: x, insecure: true}, {registry: b.example, namespace: y}]"})},
			[]PushTarget{{"127.0.0.1:5000", "x", true}, {"b.example", "y", false}}, OverrideFile},
		{"flags after --set", []Option{WithOverrides([]string{"push.namespace=ci"}), WithPushTarget("", "team-a/staging")},
			[]PushTarget{{"staging.example", "team-a/staging", false}, {"platform.example", "team-a/staging", false}}, "--namespace"},
		{"registry only", []Option{WithPushTarget("mirror.example:5000", "")},
			[]PushTarget{{"mirror.example:5000", "team-a", false}, {"mirror.example:5000", "team-a/ws", false}}, "wsbuild.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fam, err := Parse("wsbuild.yaml", []byte(pushSpec), tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fam.Push, tc.want) {
				t.Errorf("push targets %+v, want %+v", fam.Push, tc.want)
			}
			if got := fam.At("push.1.namespace").File; got != tc.wantFile {
				t.Errorf("push.1.namespace comes from %q, want %q", got, tc.wantFile)
			}
		})
	}
}

func TestPushOverrideErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec string
		opts []Option
		want string
	}{
		{"bad namespace flag", pushSpec, []Option{WithPushTarget("", "Team_A")}, `--namespace: push.0.namespace: invalid namespace "Team_A"`},
		{"bad registry flag", pushSpec, []Option{WithPushTarget("bad host", "")}, `--registry: push.0.registry: invalid registry "bad host"`},
		{"unknown field", pushSpec, []Option{WithOverrides([]string{"push.tag=1"})}, "expected push=[{registry: ..., namespace: ...}] or push.FIELD=value"},
		{"no targets", "images:\n  python:\n    base: debian:bookworm\n", []Option{WithPushTarget("", "ci")},
			"--namespace: push.namespace: the spec has no push: targets to set namespace in"},
		{"same target twice", pushSpec, []Option{WithPushTarget("one.example", "ns")}, "duplicate push target one.example/ns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("wsbuild.yaml", []byte(tc.spec), tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
