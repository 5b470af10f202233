package localfs

import "strings"

// Pattern escapes p, a path in the folder, so that BuildKit's include
// patterns (moby/patternmatcher: filepath.Match syntax plus "**", and a
// leading "!" for an exclusion) match that one path: "*", "?", "[", "]" and
// "\" get a backslash, as does a leading "!". A path with none of these is
// returned as it is.
func Pattern(p string) string {
	if !strings.ContainsAny(p, `*?[]\`) && !strings.HasPrefix(p, "!") {
		return p
	}
	var b strings.Builder
	for i, r := range p {
		if strings.ContainsRune(`*?[]\`, r) || (i == 0 && r == '!') {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Patterns escapes every path of ps with Pattern, dropping repeats.
func Patterns(ps []string) []string {
	out := make([]string, 0, len(ps))
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, Pattern(p))
		}
	}
	return out
}
