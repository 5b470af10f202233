package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

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

// problemLine returns the line of the problem msg that go.yaml.in/yaml/v3
// reports at line, the start of the block it was parsing (an over-indented
// key three lines into a mapping is reported at the mapping): the last line
// of the fewest lines of data that fail with msg too, found by bisection.
// It is line when no fewer lines do.
func problemLine(data []byte, line int, msg string) int {
	ends := lineEnds(data)
	fails := func(k int) bool { // the first k lines fail with msg
		err := parseAll(data[:ends[k-1]])
		m := yamlErrRE.FindStringSubmatch(fmt.Sprint(err))
		return m != nil && m[2] == msg
	}
	lo, hi := line, len(ends) // fails(hi) is assumed; find the least k that fails
	if lo < 1 || lo > hi || !fails(hi) {
		return line
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// parseAll parses every YAML document in data, returning the first error.
func parseAll(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// checkUTF8 reports the line of the first byte of data that is not valid
// UTF-8 (go.yaml.in/yaml/v3 reports it at no line); false when there is
// one. Data starting with a UTF-16 byte order mark is left to the library.
func (d *decoder) checkUTF8(data []byte) bool {
	if utf8.Valid(data) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return true
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			start := lineStart(data, i)
			pos := Position{File: d.file, Line: lineAt(data, i)}
			d.errorf(pos, "", "invalid YAML: not valid UTF-8: byte 0x%02x in column %d", data[i], utf8.RuneCount(data[start:i])+1)
			return false
		}
		i += n
	}
	return true
}
