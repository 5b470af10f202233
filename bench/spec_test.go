package main

import (
	"os"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

func TestSetPush(t *testing.T) {
	data, err := os.ReadFile("../templates/catalogue.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := setPush(data, "127.0.0.1:1234", "ns")
	if err != nil {
		t.Fatal(err)
	}
	f, err := spec.Parse("catalogue.yaml", out)
	if err != nil {
		t.Fatalf("the rewritten catalogue does not parse: %v\n%s", err, out)
	}
	if len(f.Push) != 1 || f.Push[0] != (spec.PushTarget{Registry: "127.0.0.1:1234", Namespace: "ns", Insecure: true}) {
		t.Errorf("push targets %+v", f.Push)
	}
	if len(f.Images) != 9 {
		t.Errorf("%d images after the rewrite, want 9", len(f.Images))
	}
}

// TestFamilySpec plans the generated plain families: every size plans to
// that many images, and the tree is as deep as planFanout makes it.
func TestFamilySpec(t *testing.T) {
	for _, n := range []int{5, 125, 500} {
		text, declared := familySpec(n, false, "127.0.0.1:1")
		if declared != n {
			t.Errorf("%d: declared %d", n, declared)
		}
		f, err := spec.Parse("family.yaml", []byte(text))
		if err != nil {
			t.Fatalf("%d: %v", n, err)
		}
		p, err := plan.New(f)
		if err != nil {
			t.Fatalf("%d: %v", n, err)
		}
		if len(p.Nodes) != n {
			t.Errorf("%d: plan has %d images", n, len(p.Nodes))
		}
	}
	text, declared := familySpec(500, true, "127.0.0.1:1")
	if declared != 100 || !strings.HasPrefix(text, "matrix:\n") {
		t.Errorf("matrix family: %d declared images:\n%.200s", declared, text)
	}
}
