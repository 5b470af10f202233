package change

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// Change is one difference between the inputs of the image a tag holds and
// those of the planned image. Values are JSON as Normalise gives them: env as
// an object, field names as the spec writes them.
type Change struct {
	// Input is the named input that changed: a key of plan.Node.Inputs, such
	// as "apt", "env", "desktop", "baseDigest" or "file notes.txt".
	Input string `json:"input"`
	// Field is the path of the changed value: Input, or Input and the keys
	// below it joined by dots, such as "env.DEBUG" or "desktop.session".
	Field string `json:"field"`
	// Old and New are the value before and after; one is missing when the
	// field was unset on that side. Both are missing when only Added and
	// Removed say what changed, or when the pushed image does not carry the
	// old value (an image pushed before wsbuild annotated values, or an
	// input plan.InputValues leaves out).
	Old json.RawMessage `json:"old,omitempty"`
	New json.RawMessage `json:"new,omitempty"`
	// Added and Removed are the items a list gained and lost, each item as
	// often as its count changed.
	Added   []json.RawMessage `json:"added,omitempty"`
	Removed []json.RawMessage `json:"removed,omitempty"`
}

// Known reports whether c says how the input changed, not only that it did.
func (c Change) Known() bool {
	return c.Old != nil || c.New != nil || len(c.Added) > 0 || len(c.Removed) > 0
}

// Diff says how each input named in names (see Changed) differs between the
// image a tag holds, with input digests before and annotated values
// beforeValues, and the planned image n. A value of beforeValues counts only
// when its digest is the one before holds; an input whose old value is
// unknown gets a Change with Input and Field only. The result is sorted by
// Input, then Field.
func Diff(before map[string]digest.Digest, beforeValues map[string]json.RawMessage, n *plan.Node, names []string) []Change {
	var out []Change
	for _, name := range names {
		c := Change{Input: name, Field: name}
		if strings.HasPrefix(name, plan.FileInput) {
			// Copied sources are compared by digest, which Inputs holds.
			c.Old, c.New = digestJSON(before[name]), digestJSON(n.Inputs[name])
			out = append(out, c)
			continue
		}
		old, oldKnown := oldValue(before, beforeValues, name)
		if !oldKnown {
			out = append(out, c)
			continue
		}
		cs := diffInput(name, old, n.Values[name])
		if len(cs) == 0 {
			// Equal after normalising, though the digests differ: show both.
			c.Old, c.New = old, n.Values[name]
			cs = []Change{c}
		}
		out = append(out, cs...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Input != out[j].Input {
			return out[i].Input < out[j].Input
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// oldValue is the old raw value of input name: nil and true when it was
// unset, false when the pushed image does not tell.
func oldValue(before map[string]digest.Digest, values map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	d, had := before[name]
	if !had {
		// The input was unset, but only an image that annotated its values
		// is known to list every input that was set.
		return nil, values != nil
	}
	raw, ok := values[name]
	if !ok || digest.FromBytes(raw) != d {
		return nil, false
	}
	return raw, true
}

func digestJSON(d digest.Digest) json.RawMessage {
	if d == "" {
		return nil
	}
	return mustJSON(d.String())
}

// diffInput compares one input's old and new raw values (nil when unset).
func diffInput(name string, oldRaw, newRaw json.RawMessage) []Change {
	old, oldSet := decode(name, oldRaw)
	cur, newSet := decode(name, newRaw)
	var out []Change
	diffValue(name, name, old, cur, oldSet, newSet, &out)
	return out
}

// decode normalises one raw input value; false when it is unset or unreadable.
func decode(name string, raw json.RawMessage) (any, bool) {
	if raw == nil {
		return nil, false
	}
	v, err := Normalise(name, raw)
	if err != nil {
		return nil, false
	}
	return v, true
}

func diffValue(input, path string, old, cur any, oldSet, newSet bool, out *[]Change) {
	oldMap, oldIsMap := old.(map[string]any)
	newMap, newIsMap := cur.(map[string]any)
	oldList, oldIsList := old.([]any)
	newList, newIsList := cur.([]any)
	switch {
	case oldIsMap && newIsMap:
		keys := map[string]bool{}
		for k := range oldMap {
			keys[k] = true
		}
		for k := range newMap {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			o, oOK := oldMap[k]
			n, nOK := newMap[k]
			diffValue(input, path+"."+k, o, n, oOK, nOK, out)
		}
		return
	case (oldIsList || !oldSet) && (newIsList || !newSet) && (oldSet || newSet):
		added, removed := listDiff(oldList, newList)
		c := Change{Input: input, Field: path, Added: added, Removed: removed}
		if len(added) == 0 && len(removed) == 0 {
			if equal(old, cur) {
				return
			}
			// The same items in another order.
			c.Old, c.New = mustJSON(old), mustJSON(cur)
		}
		*out = append(*out, c)
		return
	}
	if oldSet == newSet && equal(old, cur) {
		return
	}
	c := Change{Input: input, Field: path}
	if oldSet {
		c.Old = mustJSON(old)
	}
	if newSet {
		c.New = mustJSON(cur)
	}
	*out = append(*out, c)
}

// listDiff returns the items of cur not in old and those of old not in cur,
// counting repeats, each in its list's order.
func listDiff(old, cur []any) (added, removed []json.RawMessage) {
	count := map[string]int{}
	for _, v := range old {
		count[string(mustJSON(v))]++
	}
	for _, v := range cur {
		k := string(mustJSON(v))
		if count[k] > 0 {
			count[k]--
			continue
		}
		added = append(added, json.RawMessage(k))
	}
	for _, v := range old {
		k := string(mustJSON(v))
		if count[k] > 0 {
			count[k]--
			removed = append(removed, json.RawMessage(k))
		}
	}
	return added, removed
}

func equal(a, b any) bool { return bytes.Equal(mustJSON(a), mustJSON(b)) }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// userKeyed are the inputs whose object keys are the spec's data (variable
// and label names), kept as written; the keys of every other object are Go
// field names, written as the spec does ("Session" -> "session", "UID" ->
// "uid").
var userKeyed = map[string]bool{"env": true, "labels": true}

// Normalise decodes the canonical JSON of the input called name into plain
// JSON values (maps, lists, strings, json.Number, bools) as wsbuild shows
// them: a list of {"Key", "Value"} pairs (env) becomes an object, and
// field names are lower-cased as in the spec.
func Normalise(name string, raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("reading input %q: %w", name, err)
	}
	return normalise(v, !userKeyed[name]), nil
}

func normalise(v any, lowerKeys bool) any {
	switch v := v.(type) {
	case []any:
		if m, ok := pairs(v); ok {
			return m
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalise(e, true)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if lowerKeys {
				k = lowerKey(k)
			}
			out[k] = normalise(e, true)
		}
		return out
	}
	return v
}

// pairs turns a non-empty list of {"Key": k, "Value": v} objects into {k: v}.
func pairs(list []any) (map[string]any, bool) {
	if len(list) == 0 {
		return nil, false
	}
	out := map[string]any{}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok || len(m) != 2 {
			return nil, false
		}
		k, kOK := m["Key"].(string)
		v, vOK := m["Value"]
		if !kOK || !vOK {
			return nil, false
		}
		out[k] = v
	}
	return out, true
}

// lowerKey writes a Go field name as the spec does: "VNC" -> "vnc",
// "Session" -> "session"; a name already in lower case stays.
func lowerKey(k string) string {
	if k == strings.ToUpper(k) {
		return strings.ToLower(k)
	}
	r := []rune(k)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// mustJSON marshals decoded JSON values, which always marshal, without
// escaping <, > and & so that shown values read as written.
func mustJSON(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
