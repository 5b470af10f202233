package plan

import "encoding/json"

// Manifest annotations wsbuild writes on every image it builds, so that a
// later run can tell from the registry alone whether the image is up to date
// and, when it is not, which input changed.
const (
	// AnnotationInputDigest holds the image's input digest.
	AnnotationInputDigest = "io.wsbuild.input-digest"
	// AnnotationInputs holds Node.Inputs as a JSON object.
	AnnotationInputs = "io.wsbuild.inputs"
)

// Annotations are the manifest annotations of n's image.
func (n *Node) Annotations() map[string]string {
	inputs, err := json.Marshal(n.Inputs)
	if err != nil {
		// A map of strings to digests always marshals.
		panic(err)
	}
	return map[string]string{
		AnnotationInputDigest: n.InputDigest.String(),
		AnnotationInputs:      string(inputs),
	}
}
