package plan

import (
	"cmp"
	"encoding/json"
	"maps"
	"regexp"
	"slices"

	"github.com/wsbuild/wsbuild/internal/oci"
)

// MaxInputValues is the most bytes oci.AnnotationInputValues holds.
// Registries cap a manifest at a few MiB (4 MiB for distribution) and every
// lookup fetches it, so the largest inputs are left out until the rest
// fits; a spec's values are usually a few KiB.
const MaxInputValues = 64 << 10

// credentialURL matches a URL with a user part, such as
// https://user:token@host/: an input holding one is never annotated.
var credentialURL = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s"@]+@`)

// Annotations are the manifest annotations of n's image (see
// oci.AnnotationInputDigest): its input digest, its Inputs and, as far as
// InputValues annotates them, its Values.
func (n *Node) Annotations() map[string]string {
	return map[string]string{
		oci.AnnotationInputDigest: n.InputDigest.String(),
		oci.AnnotationInputs:      string(mustMarshal(n.Inputs)),
		oci.AnnotationInputValues: string(mustMarshal(InputValues(n.Values))),
	}
}

// InputValues is the part of values that is annotated on an image: every
// input but those holding a URL with credentials, and, when the rest is over
// MaxInputValues bytes, less the largest inputs (ties by name) until it fits.
// The values are the spec's own fields and the files' and parent's digests;
// a requirements file, where an index token belongs, is there by digest only.
// An input left out only makes a later `plan --why` say that it changed, not
// how.
func InputValues(values map[string]json.RawMessage) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	size := len("{}")
	for k, v := range values {
		if credentialURL.Match(v) {
			continue
		}
		out[k] = v
		size += entrySize(k, v)
	}
	bySize := slices.SortedFunc(maps.Keys(out), func(a, b string) int {
		if c := cmp.Compare(entrySize(b, out[b]), entrySize(a, out[a])); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for _, k := range bySize {
		if size <= MaxInputValues {
			break
		}
		size -= entrySize(k, out[k])
		delete(out, k)
	}
	return out
}

// entrySize is the bytes one input takes in a JSON object: "k":v and a comma.
func entrySize(k string, v json.RawMessage) int {
	return len(mustMarshal(k)) + 1 + len(v) + 1
}

// mustMarshal marshals maps of strings to digests or raw JSON, and strings,
// which always marshal.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
