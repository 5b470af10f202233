package plan

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/oci"

	"github.com/opencontainers/go-digest"
)

// Every annotated value is the exact input its digest in io.wsbuild.inputs
// is of, the requirements file and copied files appear by digest only, and
// the input digest is unchanged by the values.
func TestAnnotatedValuesMatchInputs(t *testing.T) {
	p := mustPlan(t, family, files())
	app := p.Node("app")
	a := app.Annotations()
	var inputs map[string]digest.Digest
	var values map[string]json.RawMessage
	if err := json.Unmarshal([]byte(a[oci.AnnotationInputs]), &inputs); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(a[oci.AnnotationInputValues]), &values); err != nil {
		t.Fatal(err)
	}
	for k, v := range values {
		if digest.FromBytes(v) != inputs[k] {
			t.Errorf("value of %q %s does not have digest %s", k, v, inputs[k])
		}
	}
	for k := range inputs {
		_, ok := values[k]
		if strings.HasPrefix(k, FileInput) && ok {
			t.Errorf("copied source %q has a value", k)
		}
		if !strings.HasPrefix(k, FileInput) && !ok {
			t.Errorf("input %q has no value", k)
		}
	}
	if got, want := string(values["requirements"]), `"`+digest.FromString("numpy\n").String()+`"`; got != want {
		t.Errorf("requirements value %s, want its digest %s", got, want)
	}
	if strings.Contains(a[oci.AnnotationInputValues], "numpy") || strings.Contains(a[oci.AnnotationInputValues], "print(1)") {
		t.Errorf("values hold file content: %s", a[oci.AnnotationInputValues])
	}
	if a[oci.AnnotationInputDigest] != app.InputDigest.String() {
		t.Errorf("input digest annotation %q", a[oci.AnnotationInputDigest])
	}
}

func TestInputValuesLeavesOut(t *testing.T) {
	big := json.RawMessage(`["` + strings.Repeat("x", MaxInputValues) + `"]`)
	half := json.RawMessage(`["` + strings.Repeat("y", MaxInputValues/2) + `"]`)
	tests := []struct {
		name   string
		values map[string]json.RawMessage
		want   []string
	}{
		{"small values stay", map[string]json.RawMessage{"apt": json.RawMessage(`["git"]`), "python": json.RawMessage(`"3.11"`)},
			[]string{"apt", "python"}},
		{"a URL with credentials", map[string]json.RawMessage{
			"pip":   json.RawMessage(`["torch","git+https://user:s3cret@git.example/x.git"]`),
			"run":   json.RawMessage(`["curl","https://tok@host/x"]`),
			"apt":   json.RawMessage(`["git"]`),
			"tests": json.RawMessage(`["curl https://example.org/a@b"]`),
		}, []string{"apt", "tests"}},
		{"over the cap: the largest goes", map[string]json.RawMessage{"run": big, "apt": json.RawMessage(`["git"]`)},
			[]string{"apt"}},
		{"over the cap: only as many as needed go, ties by name", map[string]json.RawMessage{"run": half, "pip": half, "apt": json.RawMessage(`["git"]`)},
			[]string{"apt", "run"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := InputValues(tt.values)
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, tt.want) {
				t.Errorf("kept %v, want %v", keys, tt.want)
			}
			if b, _ := json.Marshal(got); len(b) > MaxInputValues {
				t.Errorf("%d bytes, over %d", len(b), MaxInputValues)
			}
		})
	}
}
