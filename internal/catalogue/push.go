package catalogue

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/wsbuild/wsbuild/internal/spec"
	"go.yaml.in/yaml/v3"
)

// PushPlaceholder ends a starter spec written without a push target: a new
// spec never pushes to a live shared registry by default (the demo's, say,
// where its first `plan --why` would compare against someone else's images).
const PushPlaceholder = `
# Where 'wsbuild build --push' pushes each image, as REGISTRY/NAMESPACE/IMAGE:TAG.
# Fill in and uncomment, or write it with: wsbuild init --registry HOST --namespace NS
# push:
#   - registry: registry.example.org
#     namespace: your-team
`

// SetPush replaces the push: targets of the spec in data with t, or, when
// t is nil, removes them and appends PushPlaceholder.
func SetPush(data []byte, t *spec.PushTarget) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("SetPush: the spec is not a mapping")
	}
	root := doc.Content[0]
	if t == nil {
		removeKey(root, "push")
	} else {
		target := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		add := func(k, v, tag string) {
			key, val := &yaml.Node{}, &yaml.Node{}
			setScalar(key, k, "!!str", 0)
			setScalar(val, v, tag, 0)
			target.Content = append(target.Content, key, val)
		}
		add("registry", t.Registry, "!!str")
		add("namespace", t.Namespace, "!!str")
		if t.Insecure {
			add("insecure", strconv.FormatBool(true), "!!bool")
		}
		setKey(root, "push", &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{target}})
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	if t == nil {
		buf.WriteString(PushPlaceholder)
	}
	return buf.Bytes(), nil
}
