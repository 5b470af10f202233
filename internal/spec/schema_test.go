package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/golden"
	"github.com/wsbuild/wsbuild/templates"
	"github.com/xeipuuv/gojsonschema"
	"go.yaml.in/yaml/v3"
)

// schemaFile is the schema shipped with the project.
var schemaFile = filepath.Join("..", "..", "templates", "wsbuild.schema.json")

// TestSchemaShipped keeps templates/wsbuild.schema.json equal to Schema.
func TestSchemaShipped(t *testing.T) {
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, schemaFile, append(b, '\n'))
	if !json.Valid(templates.SchemaJSON) || string(templates.SchemaJSON) != string(append(b, '\n')) {
		t.Errorf("the embedded schema (templates.SchemaJSON) is not the generated one")
	}
}

// TestSchemaKeysAreTheDecoders checks that an image's properties in the
// schema are exactly the keys the decoder accepts, and each feature's are
// exactly its settings' fields.
func TestSchemaKeysAreTheDecoders(t *testing.T) {
	var s struct {
		Properties struct {
			Images struct {
				AdditionalProperties struct {
					Properties map[string]json.RawMessage `json:"properties"`
				} `json:"additionalProperties"`
			} `json:"images"`
		} `json:"properties"`
	}
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range s.Properties.Images.AdditionalProperties.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := slices.Sorted(slices.Values(imageFields))
	if !slices.Equal(keys, want) {
		t.Errorf("schema image keys %v\ndecoder's %v", keys, want)
	}
}

// TestSchemaAcceptsGoodSpecs validates the catalogue and the good specs
// under testdata against the schema, and rejects a spec with a typo.
func TestSchemaAcceptsGoodSpecs(t *testing.T) {
	schema, err := gojsonschema.NewSchema(gojsonschema.NewBytesLoader(templates.SchemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "compile", "*.yaml"))
	files = append(files, filepath.Join("..", "..", "templates", "catalogue.yaml"), filepath.Join("..", "..", "testdata", "spec", "full.yaml"))
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if errs := validate(t, schema, data); len(errs) > 0 {
				t.Errorf("%s does not match the schema: %v", name, errs)
			}
		})
	}
	bad := "images:\n  x:\n    base: debian:bookworm\n    desktop: {sesion: xfce}\n    steps: [{name: a}]\n"
	errs := validate(t, schema, []byte(bad))
	if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "sesion") {
		t.Errorf("a typo in desktop passes the schema: %v", errs)
	}
}

func validate(t *testing.T, schema *gojsonschema.Schema, data []byte) []string {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	res, err := schema.Validate(gojsonschema.NewGoLoader(v))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range res.Errors() {
		out = append(out, e.String())
	}
	return out
}
