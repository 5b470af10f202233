package spec

import "bytes"

// YAML's line breaks (YAML 1.1, as go.yaml.in/yaml/v3 reads them): "\r\n",
// "\r", "\n", NEL (U+0085), LS (U+2028) and PS (U+2029). Lines are counted
// as the library counts them, so that every line wsbuild reports agrees
// with those in the library's own messages.
var (
	nel = []byte("\u0085")
	ls  = []byte("\u2028")
	ps  = []byte("\u2029")
)

// breaks returns the offset just past each line break of data.
func breaks(data []byte) []int {
	var out []int
	for i := 0; i < len(data); i++ {
		n := 0
		switch {
		case data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n':
			n = 2
		case data[i] == '\r', data[i] == '\n':
			n = 1
		case bytes.HasPrefix(data[i:], nel):
			n = len(nel)
		case bytes.HasPrefix(data[i:], ls), bytes.HasPrefix(data[i:], ps):
			n = len(ls)
		default:
			continue
		}
		i += n - 1
		out = append(out, i+1)
	}
	return out
}

// lineEnds returns the offset just past each line of data, the last one
// (which may lack a break) included.
func lineEnds(data []byte) []int {
	ends := breaks(data)
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	return ends
}

// lineAt returns the 1-based line of data that the byte at offset off is on.
func lineAt(data []byte, off int) int { return len(breaks(data[:off])) + 1 }

// lineStart returns the offset where the line holding offset off starts.
func lineStart(data []byte, off int) int {
	if b := breaks(data[:off]); len(b) > 0 {
		return b[len(b)-1]
	}
	return 0
}
