package main

import (
	"bytes"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// setPush returns the spec src with its top-level push: targets replaced by
// one insecure target, registry/namespace, keeping the rest as written.
func setPush(src []byte, registry, namespace string) ([]byte, error) {
	return editSpec(src, func(root *yaml.Node) error {
		var target yaml.Node
		if err := target.Encode([]map[string]any{{"registry": registry, "namespace": namespace, "insecure": true}}); err != nil {
			return err
		}
		if v := mapValue(root, "push"); v != nil {
			*v = target
			return nil
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "push"}, &target)
		return nil
	})
}

// editSpec parses the spec src, lets edit change its top-level mapping and
// writes it back, keeping the rest as written.
func editSpec(src []byte, edit func(root *yaml.Node) error) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parsing the spec: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the spec is not a YAML mapping")
	}
	if err := edit(doc.Content[0]); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return out.Bytes(), enc.Close()
}

// mapValue returns the value of key in the mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
