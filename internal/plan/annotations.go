package plan

import (
	"encoding/json"

	"github.com/wsbuild/wsbuild/internal/oci"
)

// Annotations are the manifest annotations of n's image (see
// oci.AnnotationInputDigest): its input digest and its Inputs.
func (n *Node) Annotations() map[string]string {
	inputs, err := json.Marshal(n.Inputs)
	if err != nil {
		// A map of strings to digests always marshals.
		panic(err)
	}
	return map[string]string{
		oci.AnnotationInputDigest: n.InputDigest.String(),
		oci.AnnotationInputs:      string(inputs),
	}
}
