package spec

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// pushFields are the fields of a push target an override may set in every
// target at once (push.namespace=ci).
var pushFields = []string{"registry", "namespace", "insecure"}

// overridePush applies an override of the family's push targets: push=[...]
// replaces the list, push.FIELD=value sets FIELD in every target of it.
func (d *decoder) overridePush(root *yaml.Node, o Override, segs []string, value string) {
	key, _, _ := strings.Cut(o.Value, "=")
	if len(segs) == 1 {
		val, err := parseValue(value)
		if err != nil {
			d.errorf(o.Pos, key, "invalid value %q: %s", value, err)
			return
		}
		if d.overrideValue(val, o.Pos, key, segs, true) {
			d.set(root, "", segs, val, o.Pos)
		}
		return
	}
	if len(segs) != 2 || !slices.Contains(pushFields, segs[1]) {
		d.errorf(o.Pos, key, "expected push=[{registry: ..., namespace: ...}] or push.FIELD=value with FIELD one of %s, got %q", strings.Join(pushFields, ", "), o.Value)
		return
	}
	_, list := lookup(root, "push")
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		d.errorf(o.Pos, key, "the spec has no push: targets to set %s in; give push=[{registry: ..., namespace: ...}]", segs[1])
		return
	}
	for i, target := range list.Content {
		val, err := parseValue(value)
		if err != nil {
			d.errorf(o.Pos, key, "invalid value %q: %s", value, err)
			return
		}
		path := fmt.Sprintf("push.%d", i)
		if !d.overrideValue(val, o.Pos, path+"."+segs[1], segs, true) {
			return
		}
		d.set(target, path, segs[1:], val, o.Pos)
	}
}
