package provenance

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
)

func sample() Build {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	return Build{
		Image: "python", SpecPath: "wsbuild.yaml", SpecDigest: digest.FromString("spec"),
		Overrides: []string{"python.apt=[jq]"}, Flags: map[string]string{"platform": "linux/amd64"},
		InputDigest: digest.FromString("inputs"), Inputs: map[string]digest.Digest{"apt": digest.FromString("apt")},
		Base:    Dependency{Ref: "debian:bookworm", Digest: digest.FromString("base")},
		Parent:  &Dependency{Ref: "r/ns/base:1", Digest: digest.FromString("parent")},
		Images:  []Dependency{{Ref: "ghcr.io/astral-sh/uv:0.5", Digest: digest.FromString("uv")}},
		Secrets: []string{"pip"}, Wsbuild: "v1", BuildKit: "v0.33.1", Builder: "private",
		Started: t0, Finished: t0.Add(time.Minute),
	}
}

// TestRoundTrip reads back every field Predicate writes.
func TestRoundTrip(t *testing.T) {
	raw, err := Predicate(sample())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := sample(); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(Predicate(b)) =\n%+v\nwant\n%+v", got, want)
	}
}

// TestSLSAShape: the fields an SLSA v1 verifier reads are where the
// specification puts them.
func TestSLSAShape(t *testing.T) {
	raw, err := Predicate(sample())
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		BuildDefinition struct {
			BuildType            string
			ResolvedDependencies []struct {
				URI    string
				Digest map[string]string
			}
		}
		RunDetails struct {
			Builder  struct{ ID string }
			Metadata struct{ StartedOn, FinishedOn string }
		}
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if p.BuildDefinition.BuildType != BuildType || len(p.BuildDefinition.ResolvedDependencies) != 3 ||
		p.BuildDefinition.ResolvedDependencies[0].Digest["sha256"] != digest.FromString("base").Encoded() ||
		p.RunDetails.Builder.ID != BuilderID+"private" || p.RunDetails.Metadata.FinishedOn != "2026-12-07T10:01:00Z" {
		t.Errorf("predicate = %s", raw)
	}
}

// TestParseOtherBuildType refuses provenance wsbuild did not write.
func TestParseOtherBuildType(t *testing.T) {
	_, err := Parse(json.RawMessage(`{"buildDefinition":{"buildType":"https://mobyproject.org/buildkit@v1"}}`))
	if err == nil || !strings.Contains(err.Error(), "not wsbuild's") {
		t.Errorf("Parse(BuildKit's) = %v", err)
	}
}
