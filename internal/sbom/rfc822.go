package sbom

import (
	"fmt"
	"strings"
)

// field is one "Name: value" header of an RFC 822 style stanza. Its
// continuation lines are joined to value with "\n", each without its
// leading white space.
type field struct {
	key   string // as written; compare with strings.EqualFold
	value string
	line  int // 1-based line of the key
}

// splitLines splits data into lines, dropping a "\r" before each "\n".
func splitLines(data []byte) []string {
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// readStanza skips blank lines from lines[i] on, then reads header fields
// up to the next empty line or the end. It returns the fields (none when
// only blank lines were left) and the index of the line after the stanza.
// Within a stanza a line of only white space continues the field before it,
// as Python's email parser (which reads METADATA) has it; dpkg writes none.
func readStanza(lines []string, i int) ([]field, int, error) {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	var fields []field
	for ; i < len(lines) && lines[i] != ""; i++ {
		l := lines[i]
		if l[0] == ' ' || l[0] == '\t' {
			if len(fields) == 0 {
				return nil, i, fmt.Errorf("line %d: continuation line with no field before it", i+1)
			}
			f := &fields[len(fields)-1]
			f.value += "\n" + strings.TrimSpace(l)
			continue
		}
		key, value, ok := strings.Cut(l, ":")
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, i, fmt.Errorf("line %d: %q is neither a field nor a continuation line", i+1, l)
		}
		fields = append(fields, field{key: key, value: strings.TrimSpace(value), line: i + 1})
	}
	return fields, i, nil
}

// get returns the value of the first field named key (case-insensitively).
func get(fields []field, key string) string {
	for _, f := range fields {
		if strings.EqualFold(f.key, key) {
			return f.value
		}
	}
	return ""
}
