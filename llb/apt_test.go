package llb

import (
	"context"
	"strings"
	"testing"
)

// stepDigests maps the name of every step of img's LLB to its op's digest.
func stepDigests(t *testing.T, img *Image) map[string]string {
	t.Helper()
	def, err := img.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, raw := range def.Def {
		dg := digestOf(raw)
		if name := def.Metadata[digestFrom(dg)].Description["llb.customname"]; name != "" {
			out[name] = dg
		}
	}
	return out
}

// TestOwnPackagesAfterFeatures proves that an image's own apt: and pip:
// packages are installed in steps after, and apart from, those of its
// features: adding a package to the image's list leaves the features'
// install steps, and so their cache, as they were.
func TestOwnPackagesAfterFeatures(t *testing.T) {
	const spec = `images:
  notebook:
    base: debian:bookworm
    python: "3.11"
    jupyter: {via: pip}
    apt: [less%s]
    pip: [requests%s]
`
	before := compileYAML(t, strings.ReplaceAll(spec, "%s", ""))[0]
	after := compileYAML(t, strings.ReplaceAll(spec, "%s", ", tree"))[0]
	b, a := stepDigests(t, before), stepDigests(t, after)
	var featureApt, featurePip, ownApt, ownPip string
	for name := range b {
		switch {
		case strings.HasPrefix(name, "[notebook] apt-get install ") && !strings.Contains(name, "less"):
			featureApt = name
		case strings.HasPrefix(name, "[notebook] pip install ") && strings.Contains(name, "jupyter"):
			featurePip = name
		case name == "[notebook] apt-get install less":
			ownApt = name
		case name == "[notebook] pip install requests":
			ownPip = name
		}
	}
	if featureApt == "" || featurePip == "" || ownApt == "" || ownPip == "" {
		t.Fatalf("want the features' and the image's own apt and pip steps apart; steps: %v", keys(b))
	}
	for _, name := range []string{featureApt, featurePip} {
		if a[name] != b[name] {
			t.Errorf("step %q changed when only the image's own packages did", name)
		}
	}
	for _, name := range []string{"[notebook] apt-get install less tree", "[notebook] pip install requests tree"} {
		if a[name] == "" {
			t.Errorf("no step %q after the edit; steps: %v", name, keys(a))
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
