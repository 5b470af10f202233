package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestSchemaCommand checks that `wsbuild schema` prints the shipped schema,
// with every registered feature among an image's properties.
func TestSchemaCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"schema"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var s struct {
		Properties struct {
			Images struct {
				AdditionalProperties struct {
					Properties map[string]any `json:"properties"`
				} `json:"additionalProperties"`
			} `json:"images"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatalf("schema output is not JSON: %v", err)
	}
	for _, k := range []string{"desktop", "sshd", "jupyter", "r", "steps", "python", "apt"} {
		if _, ok := s.Properties.Images.AdditionalProperties.Properties[k]; !ok {
			t.Errorf("the schema has no image property %q", k)
		}
	}
}
